package sdm.slave.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import sdm.api.Platform;
import sdm.testkit.Folders;
import sdm.testkit.Gcc;

/** A real shared library of the types a manifest declares, compiled by gcc once per test run. */
final class TestLibrary {

    static final String PATH = "native/test/libdemo.so";

    private static final String SOURCE = """
            #include <stdbool.h>
            #include <string.h>
            #include <unistd.h>

            static void (*logger)(int, const char *);
            static int ticks;
            static char big[70000];
            static char unterminated[3000];

            int add(int a, int b) { return a + b; }
            long twice(long x) { return 2 * x; }
            double half(double x) { return x / 2; }
            bool flip(bool b) { return !b; }
            const char *echo(const char *s) { return s; }
            const char *nothing(void) { return 0; }
            void tick(void) { ticks++; }
            int ticks_so_far(void) { return ticks; }
            const char *huge(void) { memset(big, 'x', sizeof big - 1); return big; }
            /* returns once the file exists, or after 10 s without it */
            bool wait_for(const char *file) {
                for (int i = 0; i < 100000; i++) {
                    if (access(file, F_OK) == 0) return true;
                    usleep(100);
                }
                return false;
            }
            void sdm_set_logger(void (*f)(int, const char *)) { logger = f; }
            void say(int level, const char *line) { if (logger) logger(level, line); }
            void say_unterminated(void) { memset(unterminated, 'y', sizeof unterminated); if (logger) logger(0, unterminated); }
            """;

    /** The manifest's functions, as the source defines them. */
    static final String FUNCTIONS = """
            {"name": "add", "returns": "int", "params": ["int", "int"]},
            {"name": "twice", "returns": "long", "params": ["long"]},
            {"name": "half", "returns": "double", "params": ["double"]},
            {"name": "flip", "returns": "bool", "params": ["bool"]},
            {"name": "echo", "returns": "string", "params": ["string"]},
            {"name": "nothing", "returns": "string", "params": []},
            {"name": "tick", "returns": "void", "params": []},
            {"name": "ticks_so_far", "returns": "int", "params": []},
            {"name": "huge", "returns": "string", "params": []},
            {"name": "wait_for", "returns": "bool", "params": ["string"]},
            {"name": "say", "returns": "void", "params": ["int", "string"]},
            {"name": "say_unterminated", "returns": "void", "params": []}
            """;

    private static byte[] library;

    private TestLibrary() {
    }

    static synchronized byte[] bytes() throws IOException, InterruptedException {
        if (library == null) {
            Path dir = Files.createTempDirectory("sdm-gcc");
            try {
                library = Files.readAllBytes(Gcc.sharedLibrary(dir.resolve("libdemo.so"), SOURCE));
            } finally {
                Folders.deleteTree(dir);
            }
        }
        return library;
    }

    /** A program's manifest with one library for this platform at {@code path} and these functions. */
    static String manifest(String path, String functions) {
        return manifest(Platform.os(), path, functions);
    }

    static String manifest(String os, String path, String functions) {
        return """
                {"name": "demo", "version": "1.0.0", "native": {
                  "libraries": [{"os": "%s", "arch": "%s", "path": "%s"}],
                  "functions": [%s]}}
                """.formatted(os, Platform.arch(), path, functions);
    }
}
