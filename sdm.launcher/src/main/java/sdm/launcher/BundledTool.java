package sdm.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.spi.ToolProvider;

/**
 * A command-line tool that a bundle of the distribution provides as a {@link ToolProvider}
 * (the JDK's typed entry point for tools, as {@code javac} and {@code jar} are), run in a plain
 * class loader over those bundles, without starting a framework.
 */
final class BundledTool {

    private BundledTool() {
    }

    /**
     * Runs the tool {@code name} found in the bundles whose symbolic names start with one of
     * {@code bundles}, and returns its exit code.
     */
    static int run(Path dist, List<String> bundles, String name, PrintStream out, PrintStream err, List<String> args)
            throws IOException {
        try (URLClassLoader loader = FelixNode.plainLoader(dist, bundles)) {
            ToolProvider tool = ServiceLoader.load(ToolProvider.class, loader).stream()
                    .map(ServiceLoader.Provider::get)
                    .filter(t -> t.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IOException("the distribution in " + dist + " has no tool " + name
                            + " (rebuild it with ./mvnw -DskipTests install)"));
            return tool.run(out, err, args.toArray(String[]::new));
        }
    }
}
