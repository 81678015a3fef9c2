package sdm.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import sdm.api.node.NodeFiles;

/**
 * Makes the slaves' ahead-of-time cache ({@code aot/slave.aot}, JDK 25's {@code -XX:AOTCache}) at
 * build time: a training slave, with the slaves' own JVM options, joins a master started for it,
 * idles a moment and stops; the JVM then writes what it loaded, linked and learnt. A slave
 * started with the cache reaches {@code online} about 0.3 s sooner here. Only what the JDK's class
 * loaders load can be cached (the framework, the JDK), not the bundles' classes. The cache is
 * made again only when the distribution's jars or the JDK change; a training that fails leaves
 * slaves without a cache and says why, and never fails the build.
 */
public final class AotTraining {

    /** The cache, in the distribution. */
    static final String CACHE = "aot/slave.aot";
    private static final String KEY = "aot/slave.key";
    private static final long JOIN_WAIT_MS = 60_000;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]).toAbsolutePath();
        String key = key(dist);
        Path keyFile = dist.resolve(KEY);
        if (Files.exists(dist.resolve(CACHE)) && Files.exists(keyFile) && Files.readString(keyFile).strip().equals(key)) {
            System.out.println("sdm: the slaves' AOT cache is up to date");
            return;
        }
        Path work = Files.createTempDirectory("sdm-aot-");
        try {
            train(dist, work);
            Files.writeString(keyFile, key + "\n");
            System.out.println("sdm: made the slaves' AOT cache " + dist.resolve(CACHE));
        } catch (IOException | RuntimeException e) {
            System.out.println("sdm: no AOT cache for the slaves (they start without it): " + e.getMessage());
        } finally {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.out.println("sdm: cannot delete " + work + ": " + e.getMessage());
            }
        }
    }

    private static void train(Path dist, Path work) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path masterData = work.resolve("master");
        Process master = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-jar", dist.resolve("sdm-launcher.jar").toString(), "master",
                "--bind", "127.0.0.1:" + port, "--data", masterData.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("master.out").toFile()).start();
        Process slave = null;
        try {
            Path token = masterData.resolve(NodeFiles.JOIN_TOKEN);
            waitFor("the training master's join token", () -> Files.exists(token), master);
            Path cache = dist.resolve(CACHE);
            Files.createDirectories(cache.getParent());
            Path output = cache.resolveSibling("slave.aot.tmp");
            List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow"));
            command.addAll(LocalMachine.defaultSlaveOptions());
            command.addAll(List.of("-XX:AOTCacheOutput=" + output, "-jar", dist.resolve("sdm-launcher.jar").toString(),
                    "slave", "--master", "127.0.0.1:" + port, "--token-file", token.toString(), "--name", "training",
                    "--data", work.resolve("slave").toString()));
            slave = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("slave.out").toFile()).start();
            Path log = work.resolve("slave/" + NodeFiles.LOG_FOLDER + "/sdm.0.log");
            Process s = slave;
            waitFor("the training slave online", () -> Files.exists(log) && Files.readString(log).contains("joined master"), s);
            Thread.sleep(2_000);
            slave.destroy(); // a normal exit: the JVM writes the cache on its way out
            if (!slave.waitFor(180, TimeUnit.SECONDS) || !Files.exists(output)) {
                throw new IOException("the training slave wrote no cache; see its output: "
                        + tail(work.resolve("slave.out")));
            }
            Files.move(output, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (slave != null) {
                slave.destroyForcibly();
            }
            master.destroy();
            if (!master.waitFor(30, TimeUnit.SECONDS)) {
                master.destroyForcibly();
            }
        }
    }

    private interface Check {
        boolean done() throws IOException;
    }

    private static void waitFor(String what, Check check, Process process) throws Exception {
        long deadline = System.currentTimeMillis() + JOIN_WAIT_MS;
        while (!check.done()) {
            if (!process.isAlive()) {
                throw new IOException("waiting for " + what + ": the process ended (" + process.exitValue() + ")");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("waiting for " + what + ": timed out after " + JOIN_WAIT_MS + " ms");
            }
            Thread.sleep(50);
        }
    }

    /** What the cache depends on: the JDK, the slaves' options, and the jars a slave loads. */
    private static String key(Path dist) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Runtime.version().toString().getBytes());
        sha.update(String.join(" ", LocalMachine.defaultSlaveOptions()).getBytes());
        List<Path> jars;
        try (Stream<Path> all = Files.walk(dist)) {
            jars = all.filter(p -> p.toString().endsWith(".jar")).filter(p -> {
                String at = dist.relativize(p).toString();
                return at.startsWith("bundles/") || at.startsWith("lib/") || at.equals("sdm-launcher.jar");
            }).sorted().toList();
        }
        byte[] buffer = new byte[1 << 16];
        for (Path jar : jars) {
            sha.update(dist.relativize(jar).toString().getBytes());
            try (InputStream in = Files.newInputStream(jar)) {
                for (int n; (n = in.read(buffer)) > 0;) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(none)";
        }
        List<String> lines = Files.readAllLines(file);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
