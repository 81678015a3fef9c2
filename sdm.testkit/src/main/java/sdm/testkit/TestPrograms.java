package sdm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import sdm.archive.JamPacker;

/**
 * Program archives for the multi-process tests and the benchmarks, each native one with a real
 * shared library that gcc builds as it is packed. An archive "for aarch64" carries a library of
 * this machine with its ELF machine field set to aarch64, enough for a node to find no library
 * for its platform.
 */
public final class TestPrograms {

    public static final String SOURCE = """
            int add(int a, int b) { return a + b; }
            int version(void) { return VERSION; }
            """;

    private static final int EM_AARCH64 = 183;

    private TestPrograms() {
    }

    /** A test's source file (C, JavaScript) kept as a resource beside {@code owner}'s class. */
    public static String source(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not a resource beside " + owner.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Packs a program.
     *
     * @param arch       the library's declared arch: {@code x86_64} (this machine) or {@code aarch64}
     * @param placement  placement labels, empty for all slaves
     * @param blobBytes  size of an incompressible extra file under js/, to make a big program
     */
    public static Path pack(Path work, String name, String version, String arch, Map<String, String> placement,
            long blobBytes) throws IOException, InterruptedException {
        return pack(work, name, version, arch, placement, blobBytes, List.of());
    }

    /**
     * A program for this machine with its own C source (compiled with {@code -DVERSION=MMmm})
     * and its {@code native.functions} as JSON array items.
     */
    public static Path packNative(Path work, String name, String version, String source, String functions)
            throws IOException, InterruptedException {
        return pack(work, name, version, "x86_64", Map.of(), 0, List.of(), source, functions,
                "console.log('" + name + " " + version + "');\n");
    }

    /** As {@link #packNative}, with {@code script} as its {@code js/main.js}. */
    public static Path packNativeWithScript(Path work, String name, String source, String functions, String script)
            throws IOException, InterruptedException {
        return pack(work, name, "1.0.0", "x86_64", Map.of(), 0, List.of(), source, functions, script);
    }

    /**
     * A program whose C code calls its JavaScript: {@code exports} are its {@code master.exports}
     * as JSON array items, and {@code source} is compiled against {@code include/sdm.h}.
     */
    public static Path packWithExports(Path work, String name, String source, String functions, String exports,
            String script) throws IOException, InterruptedException {
        return pack(work, name, "1.0.0", "x86_64", Map.of(), 0, List.of(), source, functions, script, exports);
    }

    /** A program with only a master part: {@code js/main.js} is {@code script}. */
    public static Path packScript(Path work, String name, String script, List<String> privileges)
            throws IOException {
        Path dir = Files.createTempDirectory(work, name + "-");
        Files.createDirectories(dir.resolve("js"));
        Files.writeString(dir.resolve("js/main.js"), script);
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {
                  "name": "%s",
                  "version": "1.0.0",
                  "master": { "main": "js/main.js" }%s
                }
                """.formatted(name, privileges.isEmpty() ? "" : ",\n  \"privileges\": [" + privileges.stream()
                .map(p -> "\"" + p + "\"").collect(Collectors.joining(",")) + "]"));
        try {
            return JamPacker.pack(dir, work.resolve(name + ".jam.zip"));
        } catch (sdm.archive.ArchiveException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A program with only a master part that is an ES module: {@code files} maps paths under the
     * program folder ({@code js/main.mjs} first) to their text.
     */
    public static Path packModule(Path work, String name, Map<String, String> files) throws IOException,
            sdm.archive.ArchiveException {
        Path dir = Files.createTempDirectory(work, name + "-");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.createDirectories(dir.resolve(f.getKey()).getParent());
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        Files.writeString(dir.resolve("MANIFEST.json"), """
                { "name": "%s", "version": "1.0.0", "master": { "main": "js/main.mjs" } }
                """.formatted(name));
        return JamPacker.pack(dir, work.resolve(name + ".jam.zip"));
    }

    /** A program for this machine that asks for privileges. */
    public static Path packWithPrivileges(Path work, String name, String version, List<String> privileges)
            throws IOException, InterruptedException {
        return pack(work, name, version, "x86_64", Map.of(), 0, privileges);
    }

    private static Path pack(Path work, String name, String version, String arch, Map<String, String> placement,
            long blobBytes, List<String> privileges) throws IOException, InterruptedException {
        return pack(work, name, version, arch, placement, blobBytes, privileges, SOURCE, """
                      { "name": "add", "returns": "int", "params": ["int", "int"] },
                      { "name": "version", "returns": "int", "params": [] }
                """, "console.log('" + name + " " + version + "');\n");
    }

    private static Path pack(Path work, String name, String version, String arch, Map<String, String> placement,
            long blobBytes, List<String> privileges, String source, String functions, String script)
            throws IOException, InterruptedException {
        return pack(work, name, version, arch, placement, blobBytes, privileges, source, functions, script, "");
    }

    private static Path pack(Path work, String name, String version, String arch, Map<String, String> placement,
            long blobBytes, List<String> privileges, String source, String functions, String script, String exports)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(work, name + "-" + version + "-");
        Files.createDirectories(dir.resolve("js"));
        Files.writeString(dir.resolve("js/main.js"), script);
        Path lib = dir.resolve("native/linux-" + arch + "/lib" + name + ".so");
        Files.createDirectories(lib.getParent());
        compile(lib, version, source);
        if (arch.equals("aarch64")) {
            byte[] elf = Files.readAllBytes(lib);
            elf[18] = (byte) EM_AARCH64;
            elf[19] = 0;
            Files.write(lib, elf);
        }
        if (blobBytes > 0) {
            writeRandom(dir.resolve("js/blob.bin"), blobBytes);
        }
        String labels = placement.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(","));
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {
                  "name": "%s",
                  "version": "%s",
                  "master": { "main": "js/main.js"%s },
                  "native": {
                    "libraries": [ { "os": "linux", "arch": "%s", "path": "native/linux-%s/lib%s.so" } ],
                    "functions": [ %s ]
                  }%s%s
                }
                """.formatted(name, version,
                exports.isBlank() ? "" : ", \"exports\": [ " + exports + " ]", arch, arch, name, functions,
                placement.isEmpty() ? "" : ",\n  \"placement\": { \"labels\": {" + labels + "} }",
                privileges.isEmpty() ? "" : ",\n  \"privileges\": [" + privileges.stream().map(p -> "\"" + p + "\"")
                        .collect(Collectors.joining(",")) + "]"));
        try {
            return JamPacker.pack(dir, work.resolve(name + "-" + version + ".jam.zip"));
        } catch (sdm.archive.ArchiveException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void compile(Path lib, String version, String source) throws IOException, InterruptedException {
        int major = Integer.parseInt(version.split("\\.")[0]) * 100 + Integer.parseInt(version.split("\\.")[1]);
        Gcc.sharedLibrary(lib, source, "-DVERSION=" + major, "-pthread",
                "-I" + SdmProcess.PROJECT.resolve("include"));
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        Random random = new Random(bytes);
        byte[] block = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }
}
