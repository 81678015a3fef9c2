package sdm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import sdm.testkit.Executables;

/**
 * The JavaScript baseline of {@code bin/bench js}: the machine's Node.js ({@code node}, or Debian's
 * {@code nodejs}), installed with apt-get when it is missing and bin/bench runs as root.
 */
record NodeJs(Path executable, String version) {

    /** Finds Node.js; installs Debian's package first when it is missing and this is root. */
    static NodeJs find(Path work) throws Exception {
        Path found = Executables.find("node", "nodejs");
        if (found == null) {
            found = Executables.install("nodejs", work.resolve("apt.out"), "bin/bench js", "node", "nodejs");
        }
        Process p = new ProcessBuilder(found.toString(), "--version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(found + " --version failed: " + version);
        }
        return new NodeJs(found, "Node.js " + version);
    }
}
