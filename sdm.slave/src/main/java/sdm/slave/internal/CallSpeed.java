package sdm.slave.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long a function's recent calls took, to tell whether its next call may run on the link's
 * own thread (no hand-off to the pool and back) rather than on the call pool. A function is
 * short once its last {@link #STREAK} calls each took under {@link #SHORT_NS}; one longer call
 * sends it back to the pool until it has a streak again. A call that turns out long while on
 * the link's thread does not stall the link: {@code SlaveLink} hands the socket to another
 * thread meanwhile.
 */
final class CallSpeed {

    static final long SHORT_NS = 100_000;
    static final int STREAK = 16;

    private final AtomicInteger streak = new AtomicInteger();

    boolean isShort() {
        return streak.get() >= STREAK;
    }

    void took(long nanos) {
        if (nanos >= SHORT_NS) {
            streak.set(0);
        } else if (streak.get() < STREAK) {
            streak.incrementAndGet();
        }
    }
}
