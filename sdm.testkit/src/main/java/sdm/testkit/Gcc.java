package sdm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared libraries compiled from C source with this machine's gcc. */
public final class Gcc {

    private Gcc() {
    }

    /**
     * Compiles {@code source} into the shared library {@code lib} ({@code -shared -fPIC -O2} and
     * {@code flags}, such as {@code -DVERSION=3}); the source file is removed afterwards.
     *
     * @throws IOException with gcc's output if it fails
     */
    public static Path sharedLibrary(Path lib, String source, String... flags) throws IOException, InterruptedException {
        Files.createDirectories(lib.getParent());
        Path src = lib.resolveSibling(lib.getFileName() + ".c");
        Files.writeString(src, source);
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O2"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", lib.toString(), src.toString()));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc failed on " + src.getFileName() + ": " + said);
        }
        Files.delete(src);
        return lib;
    }
}
