package sdm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JavaScript baseline of {@code bin/bench js}: the machine's Node.js ({@code node}, or Debian's
 * {@code nodejs}), installed with apt-get when it is missing and bin/bench runs as root.
 */
record NodeJs(Path executable, String version) {

    private static final List<Path> PLACES = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));

    /** Finds Node.js; installs Debian's package first when it is missing and this is root. */
    static NodeJs find(Path work) throws Exception {
        Path found = search();
        if (found == null) {
            if (!Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0)) {
                throw new IOException("bin/bench js needs Node.js, which is not installed: run `sudo apt-get install -y "
                        + "nodejs` (or bin/bench js as root, which installs it)");
            }
            System.out.println("bench: installing Node.js (apt-get install -y nodejs)");
            Path log = work.resolve("apt.out");
            ProcessBuilder apt = new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", "nodejs")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
            if (apt.start().waitFor() != 0 || (found = search()) == null) {
                List<String> lines = Files.readString(log).lines().toList();
                throw new IOException("apt-get install -y nodejs failed (try `apt-get update` first): "
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
            }
        }
        Process p = new ProcessBuilder(found.toString(), "--version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(found + " --version failed: " + version);
        }
        return new NodeJs(found, "Node.js " + version);
    }

    private static Path search() {
        List<Path> places = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir));
            }
        }
        places.addAll(PLACES);
        for (String name : List.of("node", "nodejs")) {
            for (Path dir : places) {
                Path candidate = dir.resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
