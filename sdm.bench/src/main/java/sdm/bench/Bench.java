package sdm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import sdm.testkit.Folders;
import sdm.testkit.LocalMachine;
import sdm.testkit.ProcessTree;

/**
 * {@code bin/bench}: the benchmarks of SDM, each beside a baseline measured in the same run:
 * {@code calls} ({@link CallsBench}), {@code mqtt} ({@link MqttBench}), {@code footprint}
 * ({@link FootprintBench}), {@code deploy} ({@link DeployBench}), {@code fanin} ({@link FanIn}),
 * {@code js} ({@link JsBench}), {@code upcalls} ({@link UpcallsBench}) and {@code failover}
 * ({@link FailoverBench}). This class is their
 * harness: the working folder, the processes
 * they start (all stopped at the end, a SIGTERM to {@code bin/bench} included), and
 * {@code sdm.bench/target/bench.json}, where each writes its figures. With
 * {@code -Dsdm.bench.keep=true} the working folder (the machines' logs) is kept.
 */
public final class Bench {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Path project;
    final Path work;
    final int count;
    final int inflight;
    final int burst;
    private final List<Process> processes = new ArrayList<>();
    private final List<LocalMachine> machines = new ArrayList<>();

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
                                    [--count N] [--batch N] [--programs N]
                       bin/bench upcalls [--runs N] [--count 5000] [--posts 100000] [--rate 10000] [--warmup 15]
                       bin/bench failover [--runs N] [--kills 10]""";
        Set<String> benchmarks = Set.of("calls", "mqtt", "footprint", "deploy", "fanin", "js", "upcalls",
                "failover");
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
        Thread stopper = new Thread(bench::stopAll);
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            switch (args[0]) {
                case "calls" -> new CallsBench(bench).run(runs);
                case "mqtt" -> new MqttBench(bench).run(runs);
                case "footprint" -> new FootprintBench(bench).run(runs);
                case "deploy" -> new DeployBench(bench, Integer.parseInt(options.getOrDefault("--mib", "16")),
                        Integer.parseInt(options.getOrDefault("--slaves", "8"))).run(runs);
                case "fanin" -> new FanIn(bench, options).run(runs);
                case "js" -> new JsBench(bench, options).run(runs);
                case "upcalls" -> new UpcallsBench(bench, options).run(runs);
                case "failover" -> new FailoverBench(bench, options).run(runs);
                default -> throw new IllegalStateException(args[0]);
            }
        } finally {
            bench.stopAll();
            if (!Boolean.getBoolean("sdm.bench.keep")) {
                Folders.deleteTree(work);
            }
        }
    }

    /** {@code bin/sdm local --slaves 3} with its data in {@code dir}, once its 3 slaves are online. */
    LocalMachine startLocal(Path dir) throws Exception {
        return startLocal(dir, 3, List.of());
    }

    /** {@code bin/sdm local --slaves N} plus {@code extra} arguments, in {@code dir}, once every slave is online. */
    LocalMachine startLocal(Path dir, int slaves, List<String> extra) throws Exception {
        return startLocal(dir, slaves, extra, Map.of());
    }

    /** As {@link #startLocal(Path, int, List)} with {@code env} variables; stopped with the others. */
    synchronized LocalMachine startLocal(Path dir, int slaves, List<String> extra, Map<String, String> env)
            throws Exception {
        LocalMachine machine = LocalMachine.start(dir, slaves, extra, env);
        machines.add(machine);
        return machine;
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

    static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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

    Process start(Path dir, List<String> command, String name) throws IOException {
        return start(dir, command, name, Map.of());
    }

    /** A process of the harness, with {@code env} added to its environment; stopped with the others. */
    synchronized Process start(Path dir, List<String> command, String name, Map<String, String> env)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    synchronized void stopAll() {
        machines.forEach(LocalMachine::close);
        machines.clear();
        processes.forEach(p -> ProcessTree.stop(p, Duration.ofSeconds(20)));
        processes.clear();
    }
}
