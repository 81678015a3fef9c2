package sdm.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import sdm.transport.zmq.TransportException;

/** Waiting on conditions with a deadline, never on a bare sleep. */
public final class Waits {

    private Waits() {
    }

    /** A condition that may not be decidable yet: an I/O or transport failure means "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean done() throws Exception;
    }

    /**
     * Polls {@code probe} every {@code every} until its value satisfies {@code done}; returns that
     * value. An exception of the probe ends the wait.
     *
     * @throws TimeoutException naming {@code what} and the last value seen
     */
    public static <T> T until(String what, Duration timeout, Duration every, Callable<T> probe, Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T last = probe.call();
            if (last != null && done.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(every.toMillis());
        }
    }

    /**
     * Polls {@code condition} every 100 ms until it holds; an {@link IOException} or a
     * {@link TransportException} of a poll (a master not up yet) counts as "not yet".
     *
     * @throws TimeoutException naming {@code what} and the last failure, if any
     */
    public static void untilTrue(String what, Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                if (condition.done()) {
                    return;
                }
            } catch (IOException | TransportException e) {
                last = "; last: " + e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("timed out after " + timeout + " waiting for " + what + last);
            }
            Thread.sleep(100);
        }
    }
}
