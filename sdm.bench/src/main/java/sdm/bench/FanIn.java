package sdm.bench;

import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;

import sdm.testkit.AdminSession;
import sdm.testkit.LocalMachine;
import sdm.testkit.Ports;
import sdm.testkit.ProcFs;
import sdm.testkit.ProcessTree;
import sdm.testkit.Waits;

/**
 * {@code bin/bench fanin}: one master and many simulated slaves ({@link SimulatedSlaves}, the
 * real protocol with CURVE) heartbeating at 1 s. At steady state: the master's CPU share, heap
 * after a full collection and RSS, beside the same master with no slaves and beside a bare
 * JeroMQ ROUTER ({@link RawRouter}) serving the same agents, all measured in the same run. Then
 * a group of agents is frozen at once (SIGSTOP of their JVM, so their sockets go silent) and
 * timed until {@code sdm:nodes} shows every one of them offline.
 */
final class FanIn {

    /** JVM options of an agents' JVM: small and quiet, so the load generator takes little from the master. */
    private static final List<String> AGENT_JVM = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-Xss256k");

    private final Bench bench;
    private final int agents;
    private final int stop;
    private final int perJvm;
    private final long heartbeatMs;
    private final long livenessMs;
    private final long rampMs;
    private final long settleMs;
    private final long windowMs;

    /**
     * Steady-state figures of one server process (and of the agents' JVMs beside it), with how
     * the agents joined it: wall-clock time to all online, the server's CPU per agent meanwhile
     * (CURVE handshakes, registration), agents that dropped out during the window, redials.
     */
    record Load(double cpuPercent, double heapMb, double heapCommittedMb, double windowHeapCommittedMb, double rssMb,
            double agentsCpuPercent, double agentsRssMb, double onlineMs, double joinCpuMs, int flapped, int redials,
            Map<String, Double> threadsCpuPercent) {
    }

    /** How the agents joined: wall-clock time until all were online, the server's CPU per agent meanwhile. */
    private record Join(double onlineMs, double cpuMsPerAgent) {
        static final Join NONE = new Join(0, 0);
    }

    FanIn(Bench bench, Map<String, String> options) {
        this.bench = bench;
        this.agents = Integer.parseInt(options.getOrDefault("--agents", "1000"));
        this.stop = Integer.parseInt(options.getOrDefault("--stop", String.valueOf(Math.min(100, agents / 10))));
        this.perJvm = Integer.parseInt(options.getOrDefault("--per-jvm", "500"));
        this.heartbeatMs = Long.parseLong(options.getOrDefault("--heartbeat", "1000"));
        this.livenessMs = Long.parseLong(options.getOrDefault("--liveness", String.valueOf(3 * heartbeatMs)));
        this.rampMs = Long.parseLong(options.getOrDefault("--ramp", String.valueOf(agents * 100L)));
        this.settleMs = 1_000 * Long.parseLong(options.getOrDefault("--settle", "15"));
        this.windowMs = 1_000 * Long.parseLong(options.getOrDefault("--window", "20"));
        if (stop < 1 || stop >= agents) {
            throw new IllegalArgumentException("--stop must be at least 1 and below --agents (" + agents + ")");
        }
    }

    void run(int runs) throws Exception {
        System.out.printf(Locale.ROOT, "sdm bench fanin: %d runs; %d simulated slaves (CURVE, heartbeat %d ms, "
                + "liveness %d ms) in %d JVMs; %d s settle, %d s window; then %d frozen at once%n", runs, agents,
                heartbeatMs, livenessMs, layout().size(), settleMs / 1000, windowMs / 1000, stop);
        System.out.println("baselines: the same master with 0 slaves; a raw JeroMQ CURVE ROUTER serving the same agents");
        List<Load> idle = new ArrayList<>();
        List<Load> sdm = new ArrayList<>();
        List<Load> rawIdle = new ArrayList<>();
        List<Load> raw = new ArrayList<>();
        List<FrozenGroup.Detection> detection = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createDirectories(bench.work.resolve("fanin-" + run));
            idle.add(idleMaster(dir.resolve("idle")));
            FrozenGroup.Detection[] d = new FrozenGroup.Detection[1];
            sdm.add(loadedMaster(dir.resolve("sdm"), d));
            detection.add(d[0]);
            Load[] r = rawRouter(dir.resolve("raw"));
            rawIdle.add(r[0]);
            raw.add(r[1]);
            System.out.printf(Locale.ROOT, "run %d: master CPU %.2f%% (idle %.2f%%, raw ROUTER %.2f%%), heap %.1f MB "
                    + "(idle %.1f), RSS %.0f MB (idle %.0f); %d frozen: all offline in sdm:nodes after %.0f ms, "
                    + "last marked %.0f ms%n", run, sdm.getLast().cpuPercent(), idle.getLast().cpuPercent(),
                    raw.getLast().cpuPercent(), sdm.getLast().heapMb(), idle.getLast().heapMb(), sdm.getLast().rssMb(),
                    idle.getLast().rssMb(), stop, d[0].allOfflineSeenMs(), d[0].lastMarkedMs());
        }
        new FanInReport(agents, stop, heartbeatMs, livenessMs, layout().size(), idle, sdm, rawIdle, raw, detection)
                .print(bench);
    }

    /** Agents per JVM: the others first, split evenly; the group that is frozen last, in its own JVM. */
    private List<Integer> layout() {
        List<Integer> sizes = new ArrayList<>();
        int others = agents - stop;
        int jvms = (others + perJvm - 1) / perJvm;
        for (int j = 0; j < jvms; j++) {
            sizes.add(others / jvms + (j < others % jvms ? 1 : 0));
        }
        sizes.add(stop);
        return sizes;
    }

    private List<String> timing() {
        return List.of("--heartbeat", String.valueOf(heartbeatMs), "--liveness", String.valueOf(livenessMs));
    }

    private Load idleMaster(Path dir) throws Exception {
        LocalMachine machine = bench.startLocal(Files.createDirectories(dir), 0, timing());
        try {
            return measure(machine.process().pid(), List.of(), Join.NONE, ms -> 0, null);
        } finally {
            machine.close();
        }
    }

    private Load loadedMaster(Path dir, FrozenGroup.Detection[] detection) throws Exception {
        LocalMachine machine = bench.startLocal(Files.createDirectories(dir), 0, timing());
        Path master = dir.resolve(NodeFiles.DEFAULT_MASTER_DATA);
        String address = Files.readString(master.resolve(NodeFiles.MASTER_ENDPOINT)).strip();
        List<Process> jvms = new ArrayList<>();
        try {
            long pid = machine.process().pid();
            long started = System.currentTimeMillis();
            long cpu = ProcessFigures.cpuMs(pid);
            jvms.addAll(startAgents(dir, address, List.of("--token-file", master.resolve(NodeFiles.JOIN_TOKEN).toString())));
            // the agents' own word, as for the raw router: polling sdm:nodes meanwhile would be the harness's load
            awaitAgentsOnline(dir, jvms, agents + " simulated slaves welcomed");
            Join join = new Join(System.currentTimeMillis() - started,
                    (double) (ProcessFigures.cpuMs(pid) - cpu) / agents);
            AdminSession admin = machine.admin();
            Waits.untilTrue(agents + " simulated slaves online in sdm:nodes", Duration.ofSeconds(60),
                    () -> online(admin.json("sdm:nodes")) == agents);
            Load load = measure(pid, jvms, join, since -> flapped(admin.json("sdm:nodes"), since), dir);
            try (AdminConnection watch = new AdminConnection(master)) {
                watch.json("sdm:nodes"); // the handshake, before the clock starts
                Thread.sleep(2_000); // past the collection jcmd asked for
                detection[0] = new FrozenGroup(jvms.getLast(), names(agents - stop + 1, agents), livenessMs)
                        .detect(watch);
            }
            return load;
        } finally {
            jvms.forEach(Process::destroyForcibly); // nothing to save, and one may be frozen
            machine.close();
        }
    }

    /**
     * The raw router alone, then a fresh one serving the agents: two processes, as for the
     * master, so that the full collection asked of the first does not shrink the second's heap.
     */
    private Load[] rawRouter(Path dir) throws Exception {
        Files.createDirectories(dir);
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        Path secret = dir.resolve("router.key");
        Files.writeString(secret, server.secretKey);
        Load alone;
        Process idle = startRouter(dir, secret, Ports.free(), "router-idle");
        try {
            alone = measure(idle.pid(), List.of(), Join.NONE, ms -> 0, null);
        } finally {
            ProcessTree.stop(idle, Duration.ofSeconds(20));
        }
        int port = Ports.free();
        Process router = startRouter(dir, secret, port, "router");
        List<Process> jvms = new ArrayList<>();
        try {
            long started = System.currentTimeMillis();
            long cpu = ProcessFigures.cpuMs(router.pid());
            jvms.addAll(startAgents(dir, "127.0.0.1:" + port, List.of("--server-key", server.publicKey)));
            awaitAgentsOnline(dir, jvms, agents + " agents answered by the raw router");
            Join join = new Join(System.currentTimeMillis() - started,
                    (double) (ProcessFigures.cpuMs(router.pid()) - cpu) / agents);
            return new Load[] {alone, measure(router.pid(), jvms, join, ms -> 0, dir)};
        } finally {
            jvms.forEach(Process::destroyForcibly);
            ProcessTree.stop(router, Duration.ofSeconds(20));
        }
    }

    private Process startRouter(Path dir, Path secret, int port, String name) throws Exception {
        Process router = bench.start(dir, List.of(java(), "-cp", classpath(), RawRouter.class.getName(),
                String.valueOf(port), secret.toString(), String.valueOf(heartbeatMs)), name);
        Waits.untilTrue("the raw router", Duration.ofSeconds(60), () -> Files.readString(dir.resolve(name + ".out")).contains("ready"));
        return router;
    }

    private List<Process> startAgents(Path dir, String address, List<String> keys) throws IOException {
        List<Process> jvms = new ArrayList<>();
        int first = 1;
        int j = 0;
        for (int size : layout()) {
            List<String> command = new ArrayList<>();
            command.add(java());
            command.addAll(AGENT_JVM);
            command.addAll(List.of("-cp", classpath(), SimulatedSlaves.class.getName(),
                    "--master", address, "--agents", String.valueOf(size), "--first", String.valueOf(first), "--of",
                    String.valueOf(agents), "--ramp-ms", String.valueOf(rampMs), "--heartbeat",
                    String.valueOf(heartbeatMs), "--liveness", String.valueOf(livenessMs)));
            command.addAll(keys);
            jvms.add(bench.start(dir, command, "agents-" + (++j)));
            first += size;
        }
        return jvms;
    }

    /** Nodes that dropped out since a time: offline now, or online again since then. */
    interface Flaps {
        int since(long ms) throws Exception;
    }

    /**
     * After the settle period: CPU over the window (of the server and of the agents' JVMs), RSS
     * and committed heap at its end, then the heap after a full collection (asked through jcmd,
     * after the window so that it does not count in it).
     */
    /** Until every agent JVM says all its agents are online (each prints it once). */
    private void awaitAgentsOnline(Path dir, List<Process> jvms, String what) throws Exception {
        Waits.untilTrue(what, Duration.ofMillis(rampMs + 180_000), () -> {
            checkAlive(dir, jvms);
            for (int j = 1; j <= jvms.size(); j++) {
                if (!Files.readString(dir.resolve("agents-" + j + ".out")).contains(" online after ")) {
                    return false;
                }
            }
            return true;
        });
    }

    private Load measure(long pid, List<Process> jvms, Join join, Flaps flapped, Path agentsDir) throws Exception {
        settle(agentsDir, jvms.size());
        long windowStart = System.currentTimeMillis();
        long cpu0 = ProcessFigures.cpuMs(pid);
        Map<String, Long> threads0 = ProcessFigures.threadCpuMs(pid);
        long agents0 = agentsCpuMs(jvms);
        long t0 = System.nanoTime();
        Thread.sleep(windowMs);
        long cpu1 = ProcessFigures.cpuMs(pid);
        Map<String, Long> threads1 = ProcessFigures.threadCpuMs(pid);
        long agents1 = agentsCpuMs(jvms);
        double elapsedMs = (System.nanoTime() - t0) / 1e6;
        Map<String, Double> threads = new java.util.LinkedHashMap<>();
        threads1.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), 100.0 * (e.getValue() - threads0.getOrDefault(e.getKey(), 0L)) / elapsedMs))
                .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> threads.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        double rss = ProcFs.rssMb(pid);
        double committed = ProcessFigures.heapMb(pid)[1];
        double agentsRss = 0;
        for (Process p : jvms) {
            agentsRss += ProcFs.rssMb(p.pid());
        }
        int flaps = flapped.since(windowStart);
        int redials = agentsDir == null ? 0 : redials(agentsDir, jvms.size());
        double[] heap = ProcessFigures.heapAfterGcMb(pid);
        return new Load(100.0 * (cpu1 - cpu0) / elapsedMs, heap[0], heap[1], committed, rss,
                100.0 * (agents1 - agents0) / elapsedMs, Math.round(agentsRss * 10) / 10.0, join.onlineMs(),
                join.cpuMsPerAgent(), flaps, redials, threads);
    }

    /**
     * Waits for the settle period; with agents, until a whole settle period passed without any
     * of them redialing (a join storm on a busy machine can go on for a while), 5 min at most.
     */
    private void settle(Path agentsDir, int jvms) throws Exception {
        long deadline = System.currentTimeMillis() + 300_000;
        int before = agentsDir == null ? 0 : redials(agentsDir, jvms);
        while (true) {
            Thread.sleep(settleMs);
            int now = agentsDir == null ? 0 : redials(agentsDir, jvms);
            if (now == before) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("the agents kept redialing for 5 min (" + (now - before) + " in the last "
                        + settleMs / 1000 + " s): the machine is too busy for " + agents + " agents");
            }
            before = now;
        }
    }

    /** Agents that found their server silent past the liveness and redialed, so far: from each JVM's last status line. */
    private static int redials(Path dir, int jvms) throws IOException {
        int sum = 0;
        for (int j = 1; j <= jvms; j++) {
            List<String> lines = Files.readAllLines(dir.resolve("agents-" + j + ".out"));
            for (int i = lines.size() - 1; i >= 0; i--) {
                int at = lines.get(i).indexOf("reconnections ");
                if (at >= 0) {
                    sum += Integer.parseInt(lines.get(i).substring(at + "reconnections ".length()).strip());
                    break;
                }
            }
        }
        return sum;
    }

    private static long agentsCpuMs(List<Process> jvms) throws IOException {
        long sum = 0;
        for (Process p : jvms) {
            sum += ProcessFigures.cpuMs(p.pid());
        }
        return sum;
    }

    /** The names the agents numbered {@code from} to {@code to} have, as {@link SimulatedSlaves} gives them. */
    private Set<String> names(int from, int to) {
        Set<String> names = new HashSet<>();
        for (int k = from; k <= to; k++) {
            names.add(String.format("sim-%0" + String.valueOf(agents).length() + "d", k));
        }
        return names;
    }

    private static int online(JsonNode nodes) {
        int n = 0;
        for (JsonNode node : nodes) {
            n += node.get("online").asBoolean() ? 1 : 0;
        }
        return n;
    }

    /** Nodes that are offline now or came online again after {@code sinceMs}: they dropped out in between. */
    private static int flapped(JsonNode nodes, long sinceMs) {
        int n = 0;
        for (JsonNode node : nodes) {
            n += !node.get("online").asBoolean() || node.get("onlineSinceMs").asLong() > sinceMs ? 1 : 0;
        }
        return n;
    }

    /** This JVM's class path with absolute entries: the children run in other folders. */
    private static String classpath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                    : Path.of(e).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Fails at once, with its error output, if an agents' JVM has died. */
    private static void checkAlive(Path dir, List<Process> jvms) throws IOException {
        for (int j = 0; j < jvms.size(); j++) {
            if (!jvms.get(j).isAlive()) {
                Path err = dir.resolve("agents-" + (j + 1) + ".err");
                throw new IllegalStateException("agents' JVM " + (j + 1) + " ended (exit " + jvms.get(j).exitValue()
                        + "): " + (Files.exists(err) ? Files.readString(err).strip() : ""));
            }
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
