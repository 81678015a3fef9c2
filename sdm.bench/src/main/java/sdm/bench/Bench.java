package sdm.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.AdminClient;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * {@code bin/bench calls}: the round trip of a native call through the whole path (the master's
 * {@code ProgramCalls} API, the wire, a slave, FFM, and back) on a {@code bin/sdm local --slaves 3}
 * machine, beside a raw JeroMQ DEALER/ROUTER echo of the same payload between two processes
 * with the same CURVE security, measured in the same run. Prints a table, writes
 * {@code sdm.bench/target/bench.json}, and stops every process it started. With
 * {@code -Dsdm.bench.keep=true} its working folder (the machine's logs) is kept. The other
 * benchmarks, {@code mqtt} ({@link MqttBench}), {@code footprint}, {@code deploy}
 * ({@link DeployBench}), {@code fanin} ({@link FanIn}) and {@code js} ({@link JsBench}), share its harness.
 */
public final class Bench {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Path project;
    final Path work;
    final int count;
    final int inflight;
    final int burst;
    private final List<Process> processes = new ArrayList<>();

    private Bench(Path project, Path work, int count, int inflight, int burst) {
        this.project = project;
        this.work = work;
        this.count = count;
        this.inflight = inflight;
        this.burst = burst;
    }

    public static void main(String[] args) throws Exception {
        String usage = """
                usage: bin/bench calls [--runs N] [--count N] [--inflight N] [--burst N]
                       bin/bench mqtt [--runs N] [--count N] [--inflight N] [--burst N]
                       bin/bench footprint [--runs N]
                       bin/bench deploy [--runs N] [--mib N] [--slaves N]
                       bin/bench fanin [--runs N] [--agents 1000] [--stop 100] [--per-jvm 500] [--ramp MS]
                                       [--settle S] [--window S] [--heartbeat MS] [--liveness MS]
                       bin/bench js [--runs N] [--warmup S] [--samples N] [--target MS] [--kernels fib,sort,...]
                                    [--count N] [--batch N] [--programs N]""";
        Set<String> benchmarks = Set.of("calls", "mqtt", "footprint", "deploy", "fanin", "js");
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(usage);
            return;
        }
        if (args.length == 0 || !benchmarks.contains(args[0])) {
            System.err.println(usage);
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        Path project = Path.of(System.getProperty("sdm.project", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("sdm-bench-");
        Bench bench = new Bench(project, work, Integer.parseInt(options.getOrDefault("--count", "20000")),
                Integer.parseInt(options.getOrDefault("--inflight", "64")),
                Integer.parseInt(options.getOrDefault("--burst", "50000")));
        // a SIGTERM to bin/bench (a CI timeout, Ctrl-C) still stops the machine it started
        Thread stopper = new Thread(() -> {
            try {
                bench.stopAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            switch (args[0]) {
                case "calls" -> bench.calls(runs);
                case "mqtt" -> new MqttBench(bench).run(runs);
                case "footprint" -> bench.footprint(runs);
                case "deploy" -> new DeployBench(bench, Integer.parseInt(options.getOrDefault("--mib", "16")),
                        Integer.parseInt(options.getOrDefault("--slaves", "8"))).run(runs);
                case "fanin" -> new FanIn(bench, options).run(runs);
                case "js" -> new JsBench(bench, options).run(runs);
                default -> throw new IllegalStateException(args[0]);
            }
        } finally {
            bench.stopAll();
            if (!Boolean.getBoolean("sdm.bench.keep")) {
                deleteTree(work);
            }
        }
    }

    private void calls(int runs) throws Exception {
        System.out.println("sdm bench calls: " + runs + " runs of " + count + " sequential calls and " + burst
                + " with " + inflight + " in flight, add(int,int) on one of 3 slaves; baseline: raw JeroMQ "
                + "DEALER/ROUTER echo with CURVE between two processes");
        CallMachine machine = CallMachine.start(this);
        byte[] payload = CallMachine.payload();
        List<JsonNode> sdm = new ArrayList<>();
        List<JsonNode> raw = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            JsonNode s = machine.measure(count, inflight, burst);
            JsonNode r = rawEcho(payload);
            sdm.add(s);
            raw.add(r);
            System.out.printf(Locale.ROOT, "run %d: sdm p50 %.1f us, raw p50 %.1f us; sdm %.0f calls/s, raw %.0f/s%n",
                    run, s.at("/sequential/p50Micros").asDouble(), r.at("/sequential/p50Micros").asDouble(),
                    s.at("/inflight/perSecond").asDouble(), r.at("/inflight/perSecond").asDouble());
        }
        report(sdm, raw, payload.length);
    }

    record LocalMachine(Process process, Admin admin) {
    }

    /** {@code bin/sdm local --slaves 3} with its data in {@code dir}, once its 3 slaves are online. */
    LocalMachine startLocal(Path dir) throws Exception {
        return startLocal(dir, 3, List.of());
    }

    /** {@code bin/sdm local --slaves N} plus {@code extra} arguments, with its data in {@code dir}, once every slave is online. */
    LocalMachine startLocal(Path dir, int slaves, List<String> extra) throws Exception {
        return startLocal(dir, slaves, extra, Map.of());
    }

    /** {@code bin/sdm local --slaves N} plus {@code extra} arguments and {@code env} variables, once every slave is online. */
    LocalMachine startLocal(Path dir, int slaves, List<String> extra, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(project.resolve("bin/sdm").toString(), "local", "--no-console",
                "--slaves", "" + slaves, "--bind", "127.0.0.1:" + freePort()));
        command.addAll(extra);
        Process local = start(dir, command, "local", env);
        Path master = dir.resolve(NodeFiles.DEFAULT_MASTER_DATA);
        waitFor("the master", () -> Files.exists(master.resolve(NodeFiles.MASTER_ENDPOINT)));
        Admin admin = new Admin(master);
        waitFor(slaves + " slaves online", 120_000, () -> {
            JsonNode nodes = admin.json("sdm:nodes");
            int online = 0;
            for (JsonNode n : nodes) {
                online += n.get("online").asBoolean() ? 1 : 0;
            }
            return online == slaves;
        });
        return new LocalMachine(local, admin);
    }

    /**
     * Idle slave RSS and time from process start to online, for the slaves of {@code bin/sdm
     * local --slaves 3}, beside a JVM that does nothing started with the same flags: its RSS and
     * the time from process start to its {@code main}.
     */
    private void footprint(int runs) throws Exception {
        System.out.println("sdm bench footprint: " + runs + " runs of bin/sdm local --slaves 3, idle 10 s; baseline: "
                + "an idle JVM with the slaves' own flags");
        List<Double> rss = new ArrayList<>();
        List<Double> online = new ArrayList<>();
        List<Double> joining = new ArrayList<>();
        List<Double> rawRss = new ArrayList<>();
        List<Double> rawStart = new ArrayList<>();
        List<String> flags = List.of();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createDirectories(work.resolve("footprint-" + run));
            LocalMachine machine = startLocal(dir);
            Process local = machine.process();
            Admin admin = machine.admin();
            Thread.sleep(10_000); // idle, as a slave mostly is
            for (JsonNode n : admin.json("sdm:nodes")) {
                long pid = Long.parseLong(Files.readString(dir.resolve("sdm-data/" + n.get("name").asText() + "/sdm.pid"))
                        .strip());
                ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
                long started = h.info().startInstant().orElseThrow().toEpochMilli();
                online.add((double) (n.get("onlineSinceMs").asLong() - started));
                rss.add(rssMb(pid));
                flags = jvmFlags(pid);
            }
            // a slave joining a machine that runs: kill -9 it, bin/sdm local starts it again
            for (JsonNode n : admin.json("sdm:nodes")) {
                String name = n.get("name").asText();
                Path pidFile = dir.resolve("sdm-data/" + name + "/sdm.pid");
                long old = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(old).ifPresent(ProcessHandle::destroyForcibly);
                long[] fresh = new long[2];
                waitFor(name + " started again", () -> {
                    long pid = Long.parseLong(Files.readString(pidFile).strip());
                    Optional<java.time.Instant> at = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
                    fresh[0] = pid;
                    fresh[1] = at.map(java.time.Instant::toEpochMilli).orElse(0L);
                    return pid != old && at.isPresent();
                });
                waitFor(name + " online again", () -> {
                    for (JsonNode m : admin.json("sdm:nodes")) {
                        if (m.get("name").asText().equals(name) && m.get("online").asBoolean()
                                && m.get("onlineSinceMs").asLong() >= fresh[1]) {
                            joining.add((double) (m.get("onlineSinceMs").asLong() - fresh[1]));
                            return true;
                        }
                    }
                    return false;
                });
            }
            local.destroy();
            local.waitFor();

            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(flags);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleJvm.class.getName()));
            Process idle = start(dir, command, "idle");
            try {
                waitFor("the idle JVM", () -> Files.readString(dir.resolve("idle.out")).contains("main "));
                long mainAt = Long.parseLong(Files.readString(dir.resolve("idle.out")).strip().split(" ")[1]);
                rawStart.add((double) (mainAt - idle.toHandle().info().startInstant().orElseThrow().toEpochMilli()));
                Thread.sleep(10_000);
                rawRss.add(rssMb(idle.pid()));
            } finally {
                idle.destroy();
            }
            System.out.printf(Locale.ROOT, "run %d: slave RSS %s MB, start to online %s ms (all at once), %s ms "
                    + "(joining a running machine); idle JVM %.0f MB, start to main %.0f ms%n",
                    run, rss.subList(rss.size() - 3, rss.size()), online.subList(online.size() - 3, online.size()),
                    joining.subList(joining.size() - 3, joining.size()), rawRss.get(rawRss.size() - 1),
                    rawStart.get(rawStart.size() - 1));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "footprint");
        out.put("runs", runs);
        out.put("slaveFlags", flags);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "median over slaves and runs", "sdm slave", "idle JVM",
                "ratio");
        footprintRow(out, "idle RSS (MB)", rss, rawRss);
        footprintRow(out, "start to online, joining (ms)", joining, rawStart);
        footprintRow(out, "start to online, all at once (ms)", online, rawStart);
        out.put("slaveRssMb", rss);
        out.put("slaveJoiningStartToOnlineMs", joining);
        out.put("slaveStartToOnlineMs", online);
        System.out.println("joining: a slave killed and started again by bin/sdm local while the master and the other "
                + "slaves run; all at once: the master and 3 slaves started together on this machine's cores");
        System.out.println("baseline for start: an idle JVM's process start to its main(); goals: RSS under 64 MiB "
                + "(67.1 MB), joining under 1.5 s");
        record("footprint", out);
    }

    /**
     * Keeps one benchmark's figures: in {@code sdm.bench/target/bench.json}, which holds the
     * latest of every benchmark under its name (so results can be compared between commits),
     * each with the commit and time it was measured at.
     */
    void record(String benchmark, Map<String, Object> figures) throws IOException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("measuredAt", java.time.Instant.now().toString());
        entry.put("commit", commit());
        entry.putAll(figures);
        Path file = project.resolve("sdm.bench/target/bench.json");
        Files.createDirectories(file.getParent());
        com.fasterxml.jackson.databind.node.ObjectNode all = JSON.createObjectNode();
        if (Files.exists(file)) {
            try {
                JsonNode old = JSON.readTree(file.toFile());
                if (old.isObject() && !old.has("benchmark")) { // not the one-benchmark layout of before
                    all = (com.fasterxml.jackson.databind.node.ObjectNode) old;
                }
            } catch (IOException e) {
                System.err.println("bench: " + file + " was not JSON (" + e.getMessage() + "); starting it afresh");
            }
        }
        all.set(benchmark, JSON.valueToTree(entry));
        Files.writeString(file, JSON.writeValueAsString(all));
        System.out.println("wrote " + project.relativize(file) + " (\"" + benchmark + "\")");
    }

    private String commit() {
        try {
            Process git = new ProcessBuilder("git", "-C", project.toString(), "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void footprintRow(Map<String, Object> out, String label, List<Double> sdm, List<Double> raw) {
        double s = medianOf(sdm);
        double r = medianOf(raw);
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %8.2f%n", label, s, r, s / r);
        out.put(label, Map.of("sdm", s, "raw", r, "ratio", Math.round(s / r * 100) / 100.0));
    }

    static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 102.4) / 10.0;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    /** The JVM options a process was started with: what comes between the java command and -jar. */
    static List<String> jvmFlags(long pid) throws IOException {
        String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\u0000");
        List<String> flags = new ArrayList<>();
        for (int i = 1; i < args.length && !args[i].equals("-jar"); i++) {
            if (!args[i].startsWith("-XX:ErrorFile")) {
                flags.add(args[i]);
            }
        }
        return flags;
    }

    private void report(List<JsonNode> sdm, List<JsonNode> raw, int payloadBytes) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "calls");
        out.put("payloadBytes", payloadBytes);
        out.put("runs", sdm.size());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "median of " + sdm.size() + " runs", "sdm", "raw zmq", "ratio");
        row(out, "p50 round trip (us)", "/sequential/p50Micros", sdm, raw, false);
        row(out, "p90 round trip (us)", "/sequential/p90Micros", sdm, raw, false);
        row(out, "p99 round trip (us)", "/sequential/p99Micros", sdm, raw, false);
        row(out, "calls/s, " + inflight + " in flight", "/inflight/perSecond", sdm, raw, true);
        row(out, "p50 with " + inflight + " in flight (us)", "/inflight/p50Micros", sdm, raw, false);
        out.put("sdmRuns", sdm);
        out.put("rawRuns", raw);
        System.out.println("ratio: sdm / raw for times, raw / sdm for calls/s (lower is better, 1.0 is raw JeroMQ)");
        record("calls", out);
    }

    private static void row(Map<String, Object> out, String label, String pointer, List<JsonNode> sdm,
            List<JsonNode> raw, boolean higherIsBetter) {
        double s = median(sdm, n -> n.at(pointer).asDouble());
        double r = median(raw, n -> n.at(pointer).asDouble());
        double ratio = higherIsBetter ? r / s : s / r;
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %8.2f%n", label, s, r, ratio);
        out.put(label, Map.of("sdm", s, "raw", r, "ratio", Math.round(ratio * 100) / 100.0));
    }

    private static double median(List<JsonNode> runs, ToDoubleFunction<JsonNode> value) {
        double[] v = runs.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The baseline: an echo server process, and this process as its client. */
    private JsonNode rawEcho(byte[] payload) throws Exception {
        return rawEcho(payload, count, inflight, burst, 0);
    }

    /**
     * The raw echo: {@code count} sequential round trips, then {@code burst} with {@code inflight}
     * in flight; with {@code batch > 0} also {@code "batches"}, the distribution of the mean round
     * trip of each {@code batch} consecutive sequential ones.
     */
    JsonNode rawEcho(byte[] payload, int count, int inflight, int burst, int batch) throws Exception {
        int port = freePort();
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        Path secret = work.resolve("echo.key");
        Files.writeString(secret, server.secretKey);
        Process echo = start(work, List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), EchoServer.class.getName(), "" + port, secret.toString()),
                "echo");
        try (ZContext context = new ZContext(1)) {
            waitFor("the echo server", () -> Files.readString(work.resolve("echo.out")).contains("ready"));
            ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
            dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
            dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            dealer.setSndHWM(100_000);
            dealer.setRcvHWM(100_000);
            dealer.connect("tcp://127.0.0.1:" + port);
            for (int i = 0; i < Math.max(2_000, count / 10); i++) {
                dealer.send(payload, 0);
                dealer.recv(0);
            }
            long[] nanos = new long[count];
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                dealer.send(payload, 0);
                dealer.recv(0);
                nanos[i] = System.nanoTime() - t;
            }
            long total = 0;
            for (long n : nanos) {
                total += n;
            }
            Stats sequential = Stats.of(nanos, count / (total / 1e9));
            String batches = batch > 0 ? ",\"batches\":" + Stats.batches(nanos, batch).json() : "";

            // each message carries its index, so every round trip is timed with a window kept full
            long[] sentAt = new long[burst];
            long[] inFlightNanos = new long[burst];
            long started = System.nanoTime();
            int sent = 0;
            for (; sent < Math.min(inflight, burst); sent++) {
                sentAt[sent] = System.nanoTime();
                dealer.send(indexed(payload, sent), 0);
            }
            for (int received = 0; received < burst; received++) {
                byte[] reply = dealer.recv(0);
                int index = index(reply);
                inFlightNanos[index] = System.nanoTime() - sentAt[index];
                if (sent < burst) {
                    sentAt[sent] = System.nanoTime();
                    dealer.send(indexed(payload, sent), 0);
                    sent++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Stats concurrent = Stats.of(inFlightNanos, burst / seconds);
            return JSON.readTree("{\"sequential\":" + sequential.json() + ",\"inflight\":" + concurrent.json()
                    + batches + "}");
        } finally {
            echo.destroy();
        }
    }

    static byte[] indexed(byte[] payload, int index) {
        byte[] copy = payload.clone();
        copy[0] = (byte) (index >>> 24);
        copy[1] = (byte) (index >>> 16);
        copy[2] = (byte) (index >>> 8);
        copy[3] = (byte) index;
        return copy;
    }

    static int index(byte[] reply) {
        return (reply[0] & 0xff) << 24 | (reply[1] & 0xff) << 16 | (reply[2] & 0xff) << 8 | (reply[3] & 0xff);
    }

    Process start(Path dir, List<String> command, String name) throws IOException {
        return start(dir, command, name, Map.of());
    }

    /** A process of the harness, with {@code env} added to its environment; stopped with the others. */
    Process start(Path dir, List<String> command, String name, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    synchronized void stopAll() throws InterruptedException {
        for (Process p : processes) {
            List<ProcessHandle> family = p.descendants().toList();
            p.destroy();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            family.forEach(ProcessHandle::destroyForcibly);
        }
        processes.clear();
    }

    interface Check {
        boolean done() throws Exception;
    }

    static void waitFor(String what, Check check) throws Exception {
        waitFor(what, 60_000, check);
    }

    static void waitFor(String what, long timeoutMs, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException | TransportException e) {
                // not yet
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Shell commands on the bench machine's master. */
    static final class Admin {
        private final String address;
        private final String masterKey;
        private final CurveKeyPair keys;

        Admin(Path data) throws IOException {
            address = Files.readString(data.resolve(NodeFiles.MASTER_ENDPOINT)).strip();
            masterKey = Files.readString(data.resolve(NodeFiles.MASTER_PUBLIC_KEY)).strip();
            keys = CurveKeyPair.fromSecret(Files.readString(data.resolve(NodeFiles.ADMIN_KEY)).strip());
        }

        /** One command and the master's reply as it is, refusal included. */
        Message.AdminReply execute(Duration timeout, boolean json, String... command) throws TransportException {
            return AdminClient.execute(address, masterKey, keys, List.of(command), json, timeout);
        }

        String run(String... command) throws TransportException {
            Message.AdminReply r = execute(Duration.ofMinutes(10), false, command);
            if (!r.ok()) {
                throw new TransportException(String.join(" ", command) + ": " + r.error());
            }
            return r.output();
        }

        JsonNode json(String... command) throws TransportException, IOException {
            Message.AdminReply r = execute(Duration.ofSeconds(30), true, command);
            if (!r.ok()) {
                throw new TransportException(String.join(" ", command) + ": " + r.error());
            }
            return JSON.readTree(r.output());
        }
    }
}
