package sdm.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.framework.Bundle;

/**
 * Runs the master part of programs. The master's program extender calls every service of this
 * type (the whiteboard pattern) when a program's bundle becomes active on the master and again
 * when it stops. A program bundle carries its manifest in {@code SDM-*} headers and its files as
 * bundle entries ({@code SDM-Master-Main} names the JavaScript to run).
 * <p>
 * Calls come from the thread that changes the bundle's state (a shell command, the deploy
 * folder, the master starting up): start the work, do not run it there.
 */
@ConsumerType
public interface ProgramRuntime {

    /**
     * The program's bundle is active: run its master part.
     *
     * @throws Exception to report the program {@code failed} on the master, with this reason
     */
    void start(Bundle program) throws Exception;

    /** The program's bundle is stopping, being updated or uninstalled: end its master part. */
    void stop(Bundle program);

    /**
     * Calls a function that the program's master part exports to its C code (its manifest's
     * {@code master.exports}), for the C code on node {@code nodeId}. The master has checked the
     * function is declared and the arguments are of its types. Called on any thread; must not
     * block. The stage completes within {@code timeout} with the function's value converted to
     * its declared return type (null for {@code void}), or with an {@link ExportException}.
     */
    default CompletionStage<Object> callExport(String program, String function, List<Object> args, String nodeId,
            Duration timeout) {
        return CompletableFuture.failedStage(new ExportException(ExportException.Reason.NOT_RUNNING,
                "this master runs no JavaScript"));
    }

    /**
     * What this runtime is and how it runs, for {@code sdm:master}: plain JSON values by name
     * (the kernel gives {@code engine}, {@code optimizing}, {@code programs}, {@code memoryLimitMb}).
     */
    default Map<String, Object> describe() {
        return Map.of();
    }
}
