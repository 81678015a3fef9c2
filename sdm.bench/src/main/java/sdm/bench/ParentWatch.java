package sdm.bench;

import java.io.IOException;

/**
 * The peer processes the harness starts run until it closes their standard input: when the
 * harness ends, or is killed, its end of the pipe closes and the peer stops too.
 */
final class ParentWatch {

    private ParentWatch() {
    }

    /** Blocks until the harness is gone. */
    static void awaitParentGone() {
        try {
            while (System.in.read() >= 0) {
                // until the harness goes
            }
        } catch (IOException e) {
            // the harness is gone
        }
    }

    /** Runs {@code action} on a daemon thread once the harness is gone. */
    static void onParentGone(Runnable action) {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            awaitParentGone();
            action.run();
        });
    }
}
