package sdm.api.node;

/**
 * Milliseconds since the epoch as this process saw them at its start, advanced by the monotonic
 * clock: messages are stamped and timed with it, so that a step of the machine's clock (NTP,
 * an operator) does not make every message look expired or fresh.
 */
public final class MonotonicClock {

    private static final long START_WALL_MS = System.currentTimeMillis();
    private static final long START_NANOS = System.nanoTime();

    private MonotonicClock() {
    }

    public static long nowMs() {
        return START_WALL_MS + (System.nanoTime() - START_NANOS) / 1_000_000;
    }
}
