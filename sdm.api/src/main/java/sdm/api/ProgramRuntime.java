package sdm.api;

import java.util.Map;

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
     * What this runtime is and how it runs, for {@code sdm:master}: plain JSON values by name
     * (the kernel gives {@code engine}, {@code optimizing}, {@code programs}, {@code memoryLimitMb}).
     */
    default Map<String, Object> describe() {
        return Map.of();
    }
}
