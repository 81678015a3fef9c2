package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real shared library and object file, compiled by gcc once per test run. */
final class TestLibraries {

    static final String SOURCE = """
            static char buffer[64];
            int add(int a, int b) { return a + b; }
            const char *greet(const char *who) { buffer[0] = who[0]; return buffer; }
            static int hidden(void) { return 1; }
            """;

    private static byte[] library;
    private static byte[] objectFile;

    private TestLibraries() {
    }

    static synchronized byte[] library() throws Exception {
        build();
        return library;
    }

    static synchronized byte[] objectFile() throws Exception {
        build();
        return objectFile;
    }

    private static void build() throws Exception {
        if (library != null) {
            return;
        }
        Path dir = Files.createTempDirectory("sdm-gcc");
        try {
            Files.writeString(dir.resolve("hello.c"), SOURCE);
            gcc(dir, "-shared", "-fPIC", "-o", "libhello.so", "hello.c");
            gcc(dir, "-c", "-fPIC", "-o", "hello.o", "hello.c");
            library = Files.readAllBytes(dir.resolve("libhello.so"));
            objectFile = Files.readAllBytes(dir.resolve("hello.o"));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static void gcc(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("gcc %s: %s", String.join(" ", args), out).isZero();
    }
}
