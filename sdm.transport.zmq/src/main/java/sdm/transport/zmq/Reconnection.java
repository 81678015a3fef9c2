package sdm.transport.zmq;

import java.util.random.RandomGenerator;

/**
 * When a slave's link dials its master again, and how long the next handshake may take.
 * Exponential back-off with jitter: slaves that lost a master together (it restarted, say) come
 * back spread over the back-off rather than in one burst of handshakes. A session that never got
 * an answer doubles the next one's handshake limit, up to {@value #MAX_HANDSHAKE_MS} ms: a master
 * that just restarted has many handshakes queued, and giving up on them early only adds more.
 * The link's leading thread only.
 */
final class Reconnection {

    /** The master's own limit for a connection's first message (PeerLimits' default). */
    static final long MAX_HANDSHAKE_MS = 10_000;

    private final long minMs;
    private final long maxMs;
    private long backoffMs;
    private int failedSessions;

    Reconnection(long minMs, long maxMs) {
        this.minMs = minMs;
        this.maxMs = Math.max(minMs, maxMs);
        this.backoffMs = minMs;
    }

    /** A session ended: one that the master answered starts the back-off over. */
    void ended(boolean answered) {
        if (answered) {
            backoffMs = minMs;
            failedSessions = 0;
        } else {
            failedSessions++;
        }
    }

    /** The wait before the next session, from half the back-off to all of it; the back-off then doubles. */
    long nextDelayMs(RandomGenerator random) {
        long delay = backoffMs / 2 + random.nextLong(backoffMs / 2 + 1);
        backoffMs = Math.min(backoffMs * 2, maxMs);
        return delay;
    }

    /** The next session's handshake limit: {@code baseMs}, doubled by each failed session in a row. */
    long handshakeLimitMs(long baseMs) {
        return Math.min(MAX_HANDSHAKE_MS, baseMs << Math.min(failedSessions, 3));
    }

    /** Sleeps {@code ms}, or less if {@code running} turns false or the thread is interrupted. */
    static void sleep(long ms, java.util.function.BooleanSupplier running) {
        long until = System.currentTimeMillis() + ms;
        try {
            while (running.getAsBoolean() && System.currentTimeMillis() < until) {
                Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
            }
        } catch (InterruptedException e) {
            // closing
        }
    }
}
