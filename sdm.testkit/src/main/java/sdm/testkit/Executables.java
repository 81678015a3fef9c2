package sdm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The programs of this machine a baseline needs (a broker, Node.js): found on the {@code PATH}
 * or in the usual folders, and installed from Debian's packages when they are missing and this
 * process is root, as CI runs.
 */
public final class Executables {

    private static final List<Path> PLACES = List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"),
            Path.of("/usr/bin"), Path.of("/usr/local/bin"));

    private Executables() {
    }

    /** The first of {@code names} found, each looked for in every place before the next; or null. */
    public static Path find(String... names) {
        List<Path> places = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir));
            }
        }
        places.addAll(PLACES);
        for (String name : names) {
            for (Path dir : places) {
                Path candidate = dir.resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * Installs the Debian package {@code debianPackage} with apt-get (its output in {@code log})
     * and returns the first of {@code names} it brought.
     *
     * @param neededBy what needs it, for the error a user who is not root gets ("bin/bench js")
     * @throws IOException saying what to run by hand, or apt-get's last lines
     */
    public static Path install(String debianPackage, Path log, String neededBy, String... names)
            throws IOException, InterruptedException {
        if (!Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0)) {
            throw new IOException(neededBy + " needs " + debianPackage + ", which is not installed: run `sudo apt-get "
                    + "install -y " + debianPackage + "` (or " + neededBy + " as root, which installs it)");
        }
        System.out.println(neededBy + ": installing " + debianPackage + " (apt-get install -y " + debianPackage + ")");
        ProcessBuilder apt = new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", debianPackage)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Path found;
        if (apt.start().waitFor() != 0 || (found = find(names)) == null) {
            List<String> lines = Files.readString(log).lines().toList();
            throw new IOException("apt-get install -y " + debianPackage + " failed (try `apt-get update` first): "
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        }
        return found;
    }
}
