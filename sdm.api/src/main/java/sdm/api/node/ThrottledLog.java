package sdm.api.node;

import java.util.logging.Logger;

/**
 * Logs at most {@code limit} warnings per window and then one line saying how many were
 * held back, so that a peer sending garbage cannot flood the log. Thread-safe.
 */
public final class ThrottledLog {

    private final Logger logger;
    private final int limit;
    private final long windowMs;
    private long windowStart;
    private int logged;
    private long suppressed;

    public ThrottledLog(Logger logger, int limit, long windowMs) {
        this.logger = logger;
        this.limit = limit;
        this.windowMs = windowMs;
    }

    public synchronized void warn(String line) {
        long now = System.currentTimeMillis();
        if (now - windowStart >= windowMs) {
            if (suppressed > 0) {
                logger.warning(suppressed + " more such warnings were not logged in the last " + windowMs / 1000 + " s");
            }
            windowStart = now;
            logged = 0;
            suppressed = 0;
        }
        if (logged < limit) {
            logged++;
            logger.warning(line);
        } else {
            suppressed++;
        }
    }
}
