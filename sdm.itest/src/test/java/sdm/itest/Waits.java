package sdm.itest;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waiting on conditions with a deadline, never on a bare sleep. */
final class Waits {

    private Waits() {
    }

    /** Polls {@code probe} until its value satisfies {@code done}; returns that value. */
    static <T> T until(String what, Duration timeout, Duration every, Callable<T> probe, Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (true) {
            last = probe.call();
            if (last != null && done.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(every.toMillis());
        }
    }
}
