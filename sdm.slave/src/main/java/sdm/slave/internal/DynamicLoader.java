package sdm.slave.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import sdm.api.node.ErrorLine;

/** The dynamic loader's own reason for refusing a library, which the FFM's "Cannot open library" leaves out. */
final class DynamicLoader {

    private static final int RTLD_NOW = 2;

    private DynamicLoader() {
    }

    /** Why {@code dlopen} refuses the file, in its words, the extraction folder left out. */
    static String error(Path file) {
        Linker linker = Linker.nativeLinker();
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle dlclose = linker.downcallHandle(libc.find("dlclose").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(a.allocateFrom(file.toString()), RTLD_NOW);
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) dlclose.invokeExact(handle);
                return "it loads now";
            }
            MemorySegment text = (MemorySegment) dlerror.invokeExact();
            String reason = text.equals(MemorySegment.NULL) ? "unknown reason" : text.reinterpret(4096).getString(0);
            // the extracted copy's folder means nothing to the operator
            return reason.replace(file.getParent() + "/", "");
        } catch (Throwable e) {
            return "unknown reason (" + ErrorLine.of(e) + ")";
        }
    }
}
