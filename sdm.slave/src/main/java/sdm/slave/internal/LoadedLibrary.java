package sdm.slave.internal;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import sdm.archive.NativeType;

/**
 * One program's library as the slave has it loaded: the arena it lives in, its extracted copy,
 * its bound functions, and the calls running in it (it closes once they are done).
 */
final class LoadedLibrary {

    /**
     * A function of the library, bound by its manifest's types ({@code handle} takes its
     * arguments as an {@code Object[]} and returns an {@code Object}), and how long its calls take.
     */
    record Function(String name, NativeType returns, List<NativeType> params, MethodHandle handle, CallSpeed speed) {
        String signature() {
            return name + "(" + String.join(", ", params.stream().map(NativeType::manifestName).toList()) + ")";
        }
    }

    final String name;
    final Arena arena;
    final Path folder;
    final Map<String, Function> functions;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean closing;
    /** {@code sdm_set_logger} of the library, if it has one. */
    MethodHandle loggerSetter;
    /** The table its {@code sdm_set_js} was given, if it has one. */
    JsTable js;

    LoadedLibrary(String name, Arena arena, Path folder, Map<String, Function> functions) {
        this.name = name;
        this.arena = arena;
        this.folder = folder;
        this.functions = functions;
    }
}
