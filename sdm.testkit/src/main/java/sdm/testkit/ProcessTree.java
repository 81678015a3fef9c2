package sdm.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stopping a process with every process it started (a {@code bin/sdm local} and its slaves),
 * and signals by kill(1).
 */
public final class ProcessTree {

    private ProcessTree() {
    }

    /**
     * SIGTERM, then SIGKILL if it has not ended within {@code grace}; then SIGKILL to every
     * descendant it had when asked, so that none outlives it.
     */
    public static void stop(Process process, Duration grace) {
        List<ProcessHandle> family = process.descendants().toList();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Sends {@code signal} ({@code STOP}, {@code CONT}, {@code KILL}...) to {@code pid}.
     *
     * @return whether kill(1) delivered it (false when the process has ended)
     */
    public static boolean signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            return false;
        }
        return kill.exitValue() == 0;
    }
}
