package sdm.master.internal;

/**
 * A token bucket: {@code perSecond} takes a second on average, and up to ten seconds' worth at
 * once after a quiet while. Thread-safe.
 */
final class RateLimit {

    private final double perMs;
    private final double burst;
    private double tokens;
    private long lastMs;

    RateLimit(double perSecond, long nowMs) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a rate must be positive, got " + perSecond);
        }
        this.perMs = perSecond / 1000;
        this.burst = Math.max(1, perSecond * 10);
        this.tokens = burst;
        this.lastMs = nowMs;
    }

    /** Takes one token if there is one. */
    synchronized boolean tryTake(long nowMs) {
        if (nowMs > lastMs) {
            tokens = Math.min(burst, tokens + (nowMs - lastMs) * perMs);
            lastMs = nowMs;
        }
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }
}
