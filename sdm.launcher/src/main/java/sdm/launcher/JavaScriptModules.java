package sdm.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The master's JavaScript runtime as the JVM has it: GraalJS and the kernel's heap meter are Java
 * modules on the module path ({@code bin/sdm} puts them there for a master), because only there
 * does GraalJS run on its optimizing compiler. The framework's system bundle exports their
 * packages to the kernel bundle.
 */
final class JavaScriptModules {

    private static final List<String> MODULES = List.of("org.graalvm.polyglot", "sdm.kernel.meter");

    private JavaScriptModules() {
    }

    /**
     * {@code org.osgi.framework.system.packages.extra} for the modules' exported packages, with
     * GraalJS's version on its own; null when they are not in the boot layer (a slave, or a JVM
     * started without them).
     */
    static String systemPackages() {
        StringBuilder out = new StringBuilder();
        for (String name : MODULES) {
            Optional<Module> module = ModuleLayer.boot().findModule(name);
            if (module.isEmpty()) {
                return null;
            }
            String version = name.startsWith("org.graalvm") ? graalVersion(module.get()) : null;
            String packages = module.get().getDescriptor().exports().stream()
                    .filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source)
                    .sorted()
                    .map(p -> version == null ? p : p + ";version=" + version)
                    .collect(Collectors.joining(","));
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(packages);
        }
        return out.toString();
    }

    /** GraalJS's release (as 25.0.2), from the file its polyglot module carries for that. */
    private static String graalVersion(Module polyglot) {
        try (InputStream in = polyglot.getResourceAsStream("META-INF/graalvm/org.graalvm.polyglot/version")) {
            String v = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return v.matches("\\d+(\\.\\d+){0,2}") ? v : "0";
        } catch (IOException e) {
            return "0";
        }
    }
}
