package sdm.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

import sdm.api.node.NodeFiles;

/**
 * {@code sdm local}: a master in this process and N slave processes, each with its own data
 * folder under {@code ./sdm-data}. The join token is handed to each slave through its data
 * folder (never on a command line, where {@code ps} would show it). A slave process that dies
 * is restarted with back-off; stopping the local machine stops every slave first.
 */
final class LocalMachine {

    private static final Logger LOG = Logger.getLogger("sdm.launcher");
    /**
     * A slave is a small, mostly idle JVM: one GC thread; C2 alone (a short native call is 35 µs
     * faster than with C1, SHA-256 gets its intrinsic, and what is not hot stays interpreted:
     * tiered C1 and C2 took 5–7 MB more, over 64 MiB); a heap that gives memory back; C heap
     * given back to the system every few seconds (glibc keeps what the JVM freed in its arenas:
     * ~5 MB of an idle slave). Idle RSS here, the largest of 9 slaves: 62.9 MB; 60.7 MB with C1
     * only. {@code SDM_SLAVE_JAVA_OPTS} replaces them.
     */
    private static final String DEFAULT_SLAVE_OPTS = "-XX:+UseSerialGC -Xms4m -Xmx64m -Xss256k"
            + " -XX:-TieredCompilation -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m"
            + " -XX:+UseCompactObjectHeaders -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
            + " -XX:TrimNativeHeapInterval=5000";

    /** With a console, its prompt waits this long for the slaves, so start-up lines come first. */
    private static final long CONSOLE_WAIT_MS = 20_000;
    private static final long READY_REPORT_MS = 60_000;

    private final Path dist;
    private final List<SlaveProcess> slaves = new ArrayList<>();

    LocalMachine(Path dist) {
        this.dist = dist;
    }

    int run(String[] args) throws Exception {
        Options o = Options.parse("local", args, 1, Set.of("--no-console"),
                Set.of("--slaves", "--masters", "--bind", "--data", "--heartbeat", "--liveness"), false);
        Map<String, String> timing = Main.timing("local", o);
        int count = slaveCount(o.get("--slaves", "3"));
        if (count < 0 || count > 64) {
            throw new UsageException("sdm local: --slaves wants a number from 0 to 64, got '" + o.get("--slaves", "")
                    + "'");
        }
        int masterCount = slaveCount(o.get("--masters", "1"));
        if (masterCount != 1 && masterCount != 3 && masterCount != 5) {
            throw new UsageException("sdm local: --masters wants 1, 3 or 5, got '" + o.get("--masters", "") + "'");
        }
        String bind = Options.hostPort("local", "--bind", o.get("--bind", "127.0.0.1:7700"));
        Path root = Path.of(o.get("--data", "sdm-data")).toAbsolutePath();
        Path masterData = root.resolve(masterCount == 1 ? "master" : "master-1");
        boolean console = !o.has("--no-console") && System.console() != null;
        LogSetup.configure(masterData, "local");

        long start = System.currentTimeMillis();
        Map<String, String> masterProps = Main.masterProperties(masterData, bind, null);
        masterProps.putAll(timing); // the slaves take the master's timing when they join
        List<String> replicas = replicaList(bind, masterCount);
        if (masterCount > 1) {
            masterProps.put(sdm.api.node.NodeProperties.MASTER_REPLICAS, String.join(",", replicas));
        }
        FelixNode master = FelixNode.start(dist, masterData, FelixNode.Role.MASTER, console, masterProps);
        if (masterCount > 1) {
            // the first master makes the machine's consensus key; the others are given a copy
            awaitFile(masterData.resolve(NodeFiles.CONSENSUS_KEY));
            startOtherMasters(root, replicas, timing, masterData.resolve(NodeFiles.CONSENSUS_KEY));
        }
        // of replicated masters, the first leader gives every master the machine's keys through their log
        String token = waitForFile(masterData.resolve(NodeFiles.JOIN_TOKEN));
        String endpoint = masterCount == 1 ? waitForFile(masterData.resolve(NodeFiles.MASTER_ENDPOINT))
                : String.join(",", replicas);
        CountDownLatch allOnline = reportWhenOnline(master, count, start);
        for (int k = 1; k <= count; k++) {
            Path data = root.resolve("slave-" + k);
            writeToken(data, token);
            SlaveProcess slave = new SlaveProcess("slave-" + k, command(endpoint, "slave-" + k, data), data);
            slaves.add(slave);
            slave.start();
        }
        System.out.println("sdm local: " + (masterCount == 1 ? "master on " : masterCount + " masters on ") + endpoint
                + ", " + count + " slave" + (count == 1 ? "" : "s") + " starting; data in " + root);
        if (console) {
            allOnline.await(CONSOLE_WAIT_MS, TimeUnit.MILLISECONDS);
            master.startConsole();
        }
        return Main.runUntilStopped(master, this::stopSlaves);
    }

    /** Each master's endpoint: the first at {@code bind}, the others two ports apart (each has its consensus port next). */
    private static List<String> replicaList(String bind, int count) {
        String host = bind.substring(0, bind.lastIndexOf(':'));
        int port = Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1));
        List<String> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(host + ":" + (port + 2 * i));
        }
        return list;
    }

    /** Masters 2 to N of a replicated local machine, supervised as the slaves are. */
    private void startOtherMasters(Path root, List<String> replicas, Map<String, String> timing, Path consensusKey)
            throws IOException {
        for (int i = 1; i < replicas.size(); i++) {
            Path data = root.resolve("master-" + (i + 1));
            Files.createDirectories(data, Main.OWNER_ONLY);
            Path copy = data.resolve(NodeFiles.CONSENSUS_KEY);
            if (!Files.exists(copy)) {
                Files.copy(consensusKey, copy, StandardCopyOption.COPY_ATTRIBUTES);
            }
            List<String> cmd = new ArrayList<>(javaCommand(data));
            cmd.addAll(List.of("-jar", dist.resolve("sdm-launcher.jar").toString(), "master", "--no-console",
                    "--bind", replicas.get(i), "--replicas", String.join(",", replicas), "--data", data.toString(),
                    "--heartbeat", timing.get(sdm.api.node.NodeProperties.HEARTBEAT_MS),
                    "--liveness", timing.get(sdm.api.node.NodeProperties.LIVENESS_MS)));
            SlaveProcess m = new SlaveProcess("master-" + (i + 1), cmd, data);
            slaves.add(m);
            m.start();
        }
    }

    /** This JVM's own command up to {@code -jar}: another master needs the very options (GraalJS's module path). */
    private static List<String> javaCommand(Path data) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ProcessHandle.current().info().arguments().orElse(new String[0])) {
            if (a.equals("-jar")) {
                break;
            }
            cmd.add(a);
        }
        cmd.add("-XX:ErrorFile=" + data.resolve("log/hs_err_pid%p.log"));
        return cmd;
    }

    private static String waitForFile(Path file) throws IOException, InterruptedException {
        awaitFile(file);
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    private static void awaitFile(Path file) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(file)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("no " + file + " after 60 s: the masters did not agree on a leader (see their logs)");
            }
            Thread.sleep(50);
        }
    }

    private static int slaveCount(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The slaves' own JVM options when {@code SDM_SLAVE_JAVA_OPTS} does not replace them. */
    static List<String> defaultSlaveOptions() {
        return split(DEFAULT_SLAVE_OPTS);
    }

    private static List<String> split(String options) {
        return java.util.Arrays.stream(options.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
    }

    private List<String> command(String endpoint, String name, Path data) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--sun-misc-unsafe-memory-access=allow");
        // a segfault in a program's C code kills the slave: its report goes to the slave's log
        // folder, not to the user's working folder, and no core file is written
        cmd.add("-XX:ErrorFile=" + data.resolve("log/hs_err_pid%p.log"));
        cmd.add("-XX:-CreateCoredumpOnCrash");
        // the options of every node (bin/sdm's SDM_JAVA_OPTS), then the slaves' own
        cmd.addAll(split(System.getenv().getOrDefault("SDM_JAVA_OPTS", "")));
        String own = System.getenv("SDM_SLAVE_JAVA_OPTS");
        if (own != null) {
            cmd.addAll(split(own));
        } else {
            cmd.addAll(defaultSlaveOptions());
            // made at build time with these options (AotTraining); a JDK that cannot use it starts without
            Path cache = dist.resolve(AotTraining.CACHE);
            if (Files.exists(cache)) {
                cmd.add("-XX:AOTCache=" + cache);
            }
        }
        cmd.addAll(List.of("-jar", dist.resolve("sdm-launcher.jar").toString(), "slave", "--master", endpoint,
                "--name", name, "--data", data.toString(),
                "--supervisor-pid", String.valueOf(ProcessHandle.current().pid())));
        return cmd;
    }

    /** Owner-only from the first byte, and swapped in whole: a slave never reads half a token. */
    private static void writeToken(Path data, String token) throws IOException {
        Files.createDirectories(data);
        Path temp = Files.createTempFile(data, ".join.token", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
        Files.move(temp, data.resolve(NodeFiles.JOIN_TOKEN), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Prints one line when every slave is online, if that happens within a minute: the time a newcomer waits. */
    private static CountDownLatch reportWhenOnline(FelixNode master, int count, long start) {
        CountDownLatch allOnline = new CountDownLatch(1);
        IntConsumer report = online -> {
            long elapsed = System.currentTimeMillis() - start;
            if (online >= count && elapsed <= READY_REPORT_MS && allOnline.getCount() > 0) {
                allOnline.countDown();
                System.out.printf("sdm local: %d of %d slaves online after %.1f s%n", online, count, elapsed / 1000.0);
            }
        };
        if (count == 0) {
            report.accept(0);
        } else {
            master.onOnlineNodes(report);
        }
        return allOnline;
    }

    private void stopSlaves() {
        for (SlaveProcess s : slaves) {
            s.requestStop();
        }
        for (SlaveProcess s : slaves) {
            s.awaitStop();
        }
    }
}
