package sdm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.archive.JamPacker;
import sdm.bench.probe.Stats;

import sdm.testkit.AdminSession;
import sdm.testkit.LocalMachine;
import sdm.testkit.ProcFs;

/**
 * {@code bin/bench js}: the JavaScript of programs on the master, beside Node.js and the Java
 * path measured in the same run. Each run starts a fresh {@code bin/sdm local --slaves 1} and
 * measures, in this order:
 * <ol>
 * <li>the master's RSS idle, with 1 and with {@code --programs} small programs started (each a
 * 100 ms timer), and {@code sdm:start} to the program's first {@code console.log}: cold (the
 * first program since the master started) and warm (the others); beside it Node.js's process
 * start to its first {@code console.log};</li>
 * <li>the round trip of {@code await sdm.call('add', [i, 1], {nodes: [id]})} one after the other
 * to one slave, beside the Java {@code ProgramCalls} path ({@link sdm.bench.probe.CallProbe}) and a raw CURVE
 * echo; the sandbox's clock has 1 ms steps, so the JS side times batches of {@code --batch}
 * calls and the other two are shown as the same batch means;</li>
 * <li>CPU-bound kernels (the files in {@code sdm/bench/js/}), each the same text in a program of
 * its own on the master and in Node.js: after {@code --warmup} seconds of warm-up, the best of
 * {@code --samples} timed samples.</li>
 * </ol>
 * The machine runs with the kernel's per-turn and per-minute CPU limits raised (a sort of 100,000
 * numbers takes seconds in an interpreter, past the 1 s a turn may take by default); they do not
 * change how fast JavaScript runs.
 */
final class JsBench {

    static final List<String> KERNELS = List.of("fib", "scheduler", "strings", "json", "sort");
    /** The kernel's limits that a benchmark would run into; framework properties, read from system properties. */
    static final String LIMITS = "-Dsdm.js.turn.ms=600000 -Dsdm.js.cpu.minute.ms=86400000";
    static final long SETTLE_MS = 5_000;
    private static final long KERNEL_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(20);
    private static final Pattern STARTED = Pattern.compile("BENCH-JS-STARTED (\\d+)");
    private static final String RESULT = "BENCH-JS {";
    private static final String ERROR = "BENCH-JS-ERROR";

    private final Bench bench;
    private final long warmupMs;
    private final int samples;
    private final int targetMs;
    private final List<String> kernels;
    private final int count;
    private final int batch;
    private final int programs;

    private final JsReport figures;
    private NodeJs node;

    JsBench(Bench bench, Map<String, String> options) {
        this.bench = bench;
        this.warmupMs = 1_000 * Long.parseLong(options.getOrDefault("--warmup", "10"));
        this.samples = Integer.parseInt(options.getOrDefault("--samples", "10"));
        this.targetMs = Integer.parseInt(options.getOrDefault("--target", "200"));
        this.kernels = List.of(options.getOrDefault("--kernels", String.join(",", KERNELS)).split(","));
        this.count = Integer.parseInt(options.getOrDefault("--count", "5000"));
        this.batch = Integer.parseInt(options.getOrDefault("--batch", "250"));
        this.programs = Integer.parseInt(options.getOrDefault("--programs", "20"));
        for (String k : kernels) {
            if (!KERNELS.contains(k)) {
                throw new IllegalArgumentException("--kernels: no kernel '" + k + "' (" + String.join(",", KERNELS) + ")");
            }
        }
        if (samples < 1 || targetMs < 2 || batch < 1 || count < batch || count / batch > 400 || programs < 2
                || programs > 99) {
            throw new IllegalArgumentException("want --samples >= 1, --target >= 2, --count >= --batch >= 1 with "
                    + "at most 400 batches, 2 <= --programs <= 99");
        }
        this.figures = new JsReport(kernels, warmupMs, samples, targetMs, count, batch, programs);
    }

    void run(int runs) throws Exception {
        node = NodeJs.find(bench.work);
        System.out.println("sdm bench js: " + runs + " runs of bin/sdm local --slaves 1; kernels " + kernels
                + " (warm-up " + warmupMs / 1000 + " s, best of " + samples + " samples of at least " + targetMs / 2
                + " ms); " + count + " sequential sdm.call in batches of " + batch + "; master RSS with 1 and "
                + programs + " programs; baselines: " + node.version() + " on the same scripts, the Java "
                + "ProgramCalls path and raw JeroMQ CURVE echo");
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createDirectories(bench.work.resolve("js-" + run));
            String opts = CallMachine.javaOpts(LIMITS);
            LocalMachine machine = bench.startLocal(dir, 1, List.of(), Map.of("SDM_JAVA_OPTS", opts));
            Path data = dir.resolve(NodeFiles.DEFAULT_MASTER_DATA);
            long masterPid = Long.parseLong(Files.readString(data.resolve(NodeFiles.PID)).strip());
            try (AdminConnection conn = new AdminConnection(data)) {
                programs(run, dir, conn, masterPid);
                calls(run, dir, conn, machine.admin());
                for (String k : kernels) {
                    kernel(run, dir, conn, k);
                }
            } finally {
                machine.process().terminate(Duration.ofSeconds(60));
                machine.close();
            }
        }
        figures.report(runs, node.version(), bench);
    }

    // ---- master RSS and program start ----

    private void programs(int run, Path dir, AdminConnection conn, long masterPid) throws Exception {
        Thread.sleep(SETTLE_MS);
        double idle = ProcFs.rssMb(masterPid);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= programs; i++) {
            String name = String.format(Locale.ROOT, "ticker-%02d", i);
            names.add(name);
            Path archive = packScript(dir, name, """
                    console.log('BENCH-JS-STARTED ' + Date.now());
                    const state = { ticks: 0, last: 0 };
                    sdm.every(100, () => {
                      state.ticks++;
                      state.last = Date.now();
                    });
                    """);
            conn.text(60_000, "sdm:install", archive.toString());
        }
        double coldMs = startToLog(conn, names.get(0));
        Thread.sleep(SETTLE_MS);
        double one = ProcFs.rssMb(masterPid);
        List<Double> warmMs = new ArrayList<>();
        for (String name : names.subList(1, names.size())) {
            warmMs.add(startToLog(conn, name));
        }
        Thread.sleep(SETTLE_MS);
        double all = ProcFs.rssMb(masterPid);
        for (String name : names) {
            conn.text(60_000, "sdm:uninstall", name);
        }
        List<Double> nodeMs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodeMs.add(nodeStartToLog(dir));
        }
        figures.rssIdle.add(idle);
        figures.rssOne.add(one);
        figures.rssAll.add(all);
        figures.cold.add(coldMs);
        figures.warm.add(Bench.medianOf(warmMs));
        figures.nodeStart.add(Bench.medianOf(nodeMs));
        System.out.printf(Locale.ROOT, "run %d: master RSS idle %.1f MB, 1 program %.1f MB, %d programs %.1f MB; "
                + "sdm:start to first console.log cold %.0f ms, warm %.0f ms (median of %d); node process start to "
                + "first console.log %.0f ms%n", run, idle, one, programs, all, coldMs, Bench.medianOf(warmMs),
                warmMs.size(), Bench.medianOf(nodeMs));
    }

    /** {@code sdm:start NAME} until the program logs the {@code Date.now()} of its first line; in ms. */
    private static double startToLog(AdminConnection conn, String name) throws Exception {
        long t0 = System.currentTimeMillis();
        conn.text(60_000, "sdm:start", name);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : conn.text(30_000, "sdm:log", "--lines", "20", name).lines().toList()) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    return Long.parseLong(m.group(1)) - t0;
                }
                failed(name, line);
            }
            Thread.sleep(50);
        }
        throw new IOException(name + " logged nothing within 60 s of sdm:start");
    }

    private double nodeStartToLog(Path dir) throws Exception {
        long t0 = System.currentTimeMillis();
        Process p = new ProcessBuilder(node.executable().toString(), "-e", "console.log(Date.now())").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !out.matches("\\d+")) {
            throw new IOException("node -e 'console.log(Date.now())' printed: " + out);
        }
        return Long.parseLong(out) - t0;
    }

    // ---- sdm.call ----

    private void calls(int run, Path dir, AdminConnection conn, AdminSession admin) throws Exception {
        CallMachine machine = CallMachine.install(bench, admin, dir);
        String slave = machine.node();
        int warmUp = Math.max(2_000, count / 10); // as many as CallProbe's warm-up
        // and for six times a kernel's warm-up (a minute by default): the call path crosses the master's
        // whole stack, which the JVM's own compilers are still compiling in its first minute or two (C2
        // compiles the Graal compiler's own code then) while GraalJS compiles the script
        String script = """
                const NODE = %s, COUNT = %d, BATCH = %d, WARM = %d, WARM_MS = %d;
                const options = { nodes: [NODE] };
                async function batch() {
                  const t = Date.now();
                  for (let i = 0; i < BATCH; i++) {
                    const r = await sdm.call('add', [i, 1], options);
                    if (r[NODE] !== i + 1) throw new Error('add(' + i + ', 1) gave ' + JSON.stringify(r));
                  }
                  return Date.now() - t;
                }
                async function measure() {
                  let r;
                  for (let tries = 0; ; tries++) {
                    r = await sdm.call('add', [1, 2], options);
                    if (r[NODE] === 3) break;
                    if (tries >= 300) throw new Error('add never answered on ' + NODE + ': ' + JSON.stringify(r));
                    await new Promise((resolve) => sdm.after(100, resolve));
                  }
                  // warm-up and measurement are one loop: a second loop (or a branch first taken when
                  // the warm-up ends) would deoptimize the compiled promise machinery that inlined this
                  // function, and the measured batches would run while it is compiled again. The last
                  // COUNT / BATCH batches, all past WARM calls and WARM_MS, are the measured ones.
                  const measured = Math.floor(COUNT / BATCH);
                  const batchMs = [];
                  const started = Date.now();
                  let warmBatches = 0;
                  let past = 0;
                  while (past < measured) {
                    batchMs.push(await batch());
                    // arithmetic, not a branch: 1 once warm
                    const warm = (Date.now() - started >= WARM_MS) & (batchMs.length * BATCH >= WARM);
                    warmBatches += 1 - warm;
                    past += warm;
                  }
                  const totalMs = Date.now() - started;
                  const last = batchMs.slice(warmBatches);
                  const measuredMs = last.reduce((a, b) => a + b, 0);
                  const out = { calls: last.length * BATCH, batch: BATCH, totalMs: measuredMs, batchMs: last,
                      warmupCalls: warmBatches * BATCH, warmupMs: totalMs - measuredMs,
                      warmupTailMs: batchMs.slice(Math.max(0, warmBatches - measured), warmBatches) };
                  console.log('BENCH-JS ' + JSON.stringify(out));
                }
                measure().catch((e) => console.log('BENCH-JS-ERROR ' + (e && e.stack ? e.stack : e)));
                """.formatted(Bench.JSON.writeValueAsString(slave), count, batch, warmUp, 6 * warmupMs);
        Path archive = CallMachine.program(dir, "jscall", script);
        conn.text(60_000, "sdm:install", archive.toString());

        // JavaScript first: its time-long warm-up warms the master's shared call path for the Java side too
        conn.text(60_000, "sdm:start", "jscall");
        JsonNode out = awaitResult(conn, "jscall", KERNEL_TIMEOUT_MS, 500);
        conn.text(60_000, "sdm:stop", "jscall");
        JsonNode java = machine.measure(count, 1, 1, batch);
        JsonNode raw = new CallsBench(bench).rawEcho(CallMachine.payload(), count, 1, 1, batch);

        long[] nanos = new long[out.get("batchMs").size()];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = out.get("batchMs").get(i).asLong() * 1_000_000L / batch;
        }
        double meanMicros = out.get("totalMs").asDouble() * 1000 / out.get("calls").asDouble();
        Stats batches = Stats.of(nanos, out.get("calls").asDouble() / (out.get("totalMs").asDouble() / 1000));
        JsonNode js = Bench.JSON.readTree("{\"meanMicros\":" + String.format(Locale.ROOT, "%.1f", meanMicros)
                + ",\"batches\":" + batches.json() + ",\"batchMs\":" + out.get("batchMs") + ",\"warmupCalls\":"
                + out.get("warmupCalls") + ",\"warmupMs\":" + out.get("warmupMs") + ",\"warmupTailMs\":"
                + out.get("warmupTailMs") + "}");
        figures.jsCalls.add(js);
        figures.javaCalls.add(java);
        figures.rawCalls.add(raw);
        System.out.printf(Locale.ROOT, "run %d: sdm.call mean %.1f us (batch p50 %.1f us, after %d calls in %.1f s of "
                + "warm-up); Java ProgramCalls mean %.1f us (batch p50 %.1f us, per call p50 %.1f us); raw echo mean "
                + "%.1f us (per call p50 %.1f us)%n", run, meanMicros, batches.p50Micros(), out.get("warmupCalls").asInt(),
                out.get("warmupMs").asDouble() / 1000, JsReport.mean(java), java.at("/batches/p50Micros").asDouble(),
                java.at("/sequential/p50Micros").asDouble(), JsReport.mean(raw), raw.at("/sequential/p50Micros").asDouble());
    }

    // ---- CPU kernels ----

    private void kernel(int run, Path dir, AdminConnection conn, String kernel) throws Exception {
        String text = resource(kernel + ".js") + "\n" + resource("runner.js") + "\n";
        String options = String.format(Locale.ROOT, "{\"warmupMs\":%d,\"samples\":%d,\"targetMs\":%d}", warmupMs,
                samples, targetMs);
        String program = "js-" + kernel;
        Path archive = packScript(dir, program, text + resource("main-sdm.js").replace("OPTIONS", options));
        conn.text(60_000, "sdm:install", "--start", archive.toString());
        JsonNode s = awaitResult(conn, program, KERNEL_TIMEOUT_MS, 1_000);
        conn.text(60_000, "sdm:uninstall", program);

        Path script = dir.resolve("node-" + kernel + ".js");
        Files.writeString(script, text + resource("main-node.js"));
        String name = "node-" + kernel;
        Process p = bench.start(dir, List.of(node.executable().toString(), script.toString(), options), name);
        if (!p.waitFor(KERNEL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("node " + script + " did not finish within " + KERNEL_TIMEOUT_MS / 60_000 + " min");
        }
        String out = Files.readString(dir.resolve(name + ".out"));
        JsonNode n = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith(RESULT)) {
                n = Bench.JSON.readTree(line.substring(RESULT.length() - 1));
            }
        }
        if (n == null) {
            throw new IOException("node " + script + " exited with " + p.exitValue() + " without a result: "
                    + (out + Files.readString(dir.resolve(name + ".err"))).strip());
        }
        if (!s.get("checksum").asText().equals(n.get("checksum").asText())) {
            throw new IOException(kernel + ": sdm computed " + s.get("checksum").asText() + ", node "
                    + n.get("checksum").asText() + ": the two sides did not do the same work");
        }
        figures.sdmKernels.computeIfAbsent(kernel, k -> new ArrayList<>()).add(s);
        figures.nodeKernels.computeIfAbsent(kernel, k -> new ArrayList<>()).add(n);
        System.out.printf(Locale.ROOT, "run %d: %-10s sdm %10.3f ms, node %8.3f ms per run (%.1fx); batches of "
                + "%d and %d after %d and %d warm-up runs%n", run, kernel, s.get("bestMs").asDouble(),
                n.get("bestMs").asDouble(), s.get("bestMs").asDouble() / n.get("bestMs").asDouble(),
                s.get("batch").asInt(), n.get("batch").asInt(), s.get("warmupRuns").asInt(), n.get("warmupRuns").asInt());
    }

    /** Polls the program's log until its result line; an error line or a failure of the program is an exception. */
    private static JsonNode awaitResult(AdminConnection conn, String program, long timeoutMs, long pollMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (String line : conn.text(30_000, "sdm:log", "--lines", "20", program).lines().toList()) {
                int at = line.indexOf(RESULT);
                if (at >= 0) {
                    return Bench.JSON.readTree(line.substring(at + RESULT.length() - 1));
                }
                if (line.contains(ERROR)) {
                    throw new IOException(program + ": " + line.substring(line.indexOf(ERROR)));
                }
                failed(program, line);
            }
            Thread.sleep(pollMs);
        }
        throw new IOException(program + " gave no result within " + timeoutMs / 60_000 + " min");
    }

    private static void failed(String program, String line) throws IOException {
        if (line.contains(" " + program + " failed: ")) {
            throw new IOException("program " + program + " failed on the master: "
                    + line.substring(line.indexOf(" failed: ") + 9));
        }
    }

    private static Path packScript(Path dir, String name, String script) throws Exception {
        Path program = dir.resolve("program-" + name);
        Files.createDirectories(program.resolve("js"));
        Files.writeString(program.resolve("js/main.js"), script);
        Files.writeString(program.resolve("MANIFEST.json"), """
                {"name":"%s","version":"1.0.0","master":{"main":"js/main.js"}}
                """.formatted(name));
        return JamPacker.pack(program, dir.resolve(name + ".jam.zip"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JsBench.class.getResourceAsStream("/sdm/bench/js/" + name)) {
            if (in == null) {
                throw new IOException("no resource sdm/bench/js/" + name + " in the harness");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
