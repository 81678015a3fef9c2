package sdm.kernel.internal;

/**
 * The bound on what a program logs: at most {@link Limits#logLines()} lines (its audited refusals
 * included) in each window of {@link Limits#logWindowMillis()}, timed by the monotonic clock.
 */
final class LogVolume {

    private final JsProgram program;
    private long windowStart = System.nanoTime() / 1_000_000;
    private int linesInWindow;

    LogVolume(JsProgram program) {
        this.program = program;
    }

    /** One more line in the log window; false (and the program failed) past the limit. */
    synchronized boolean count() {
        long now = System.nanoTime() / 1_000_000;
        if (now - windowStart > program.kernel.limits().logWindowMillis()) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (++linesInWindow > program.kernel.limits().logLines()) {
            program.fail("logged more than " + program.kernel.limits().logLines() + " lines in "
                    + program.kernel.limits().logWindowMillis() / 1000 + " s");
            return false;
        }
        return true;
    }
}
