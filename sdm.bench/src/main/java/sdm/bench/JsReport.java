package sdm.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The figures {@link JsBench} collects over its runs, and its report: medians of the runs against
 * the goals, printed as tables and kept in {@code bench.json} under {@code js}.
 */
final class JsReport {

    private static final double KERNEL_GOAL = 2.0;
    private static final double KERNEL_MOONSHOT = 1.2;
    private static final double CALL_GOAL = 1.2;
    private static final double RSS_GOAL_MB = 400;

    final Map<String, List<JsonNode>> sdmKernels = new LinkedHashMap<>();
    final Map<String, List<JsonNode>> nodeKernels = new LinkedHashMap<>();
    final List<JsonNode> jsCalls = new ArrayList<>();
    final List<JsonNode> javaCalls = new ArrayList<>();
    final List<JsonNode> rawCalls = new ArrayList<>();
    final List<Double> rssIdle = new ArrayList<>();
    final List<Double> rssOne = new ArrayList<>();
    final List<Double> rssAll = new ArrayList<>();
    final List<Double> cold = new ArrayList<>();
    final List<Double> warm = new ArrayList<>();
    final List<Double> nodeStart = new ArrayList<>();

    private final List<String> kernels;
    private final long warmupMs;
    private final int samples;
    private final int targetMs;
    private final int count;
    private final int batch;
    private final int programs;

    JsReport(List<String> kernels, long warmupMs, int samples, int targetMs, int count, int batch, int programs) {
        this.kernels = kernels;
        this.warmupMs = warmupMs;
        this.samples = samples;
        this.targetMs = targetMs;
        this.count = count;
        this.batch = batch;
        this.programs = programs;
    }

    void report(int runs, String nodeVersion, Bench bench) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Boolean> goals = new LinkedHashMap<>();
        out.put("benchmark", "js");
        out.put("runs", runs);
        out.put("node", nodeVersion);
        out.put("sdmJavaOpts", JsBench.LIMITS);
        out.put("options", Map.of("warmupMs", warmupMs, "samples", samples, "targetMs", targetMs, "count", count,
                "batch", batch, "programs", programs));
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %11s %11s %9s %7s %4s %9s%n", "kernels: ms per run, median of "
                + runs, "sdm", "node", "sdm/node", "goal", "ok", "moonshot");
        Map<String, Object> kernelFigures = new LinkedHashMap<>();
        for (String k : kernels) {
            List<JsonNode> s = sdmKernels.get(k);
            List<JsonNode> n = nodeKernels.get(k);
            double sdm = Bench.medianOf(s.stream().map(j -> j.get("bestMs").asDouble()).toList());
            double nd = Bench.medianOf(n.stream().map(j -> j.get("bestMs").asDouble()).toList());
            double ratio = sdm / nd;
            boolean met = ratio <= KERNEL_GOAL;
            boolean moon = ratio <= KERNEL_MOONSHOT;
            String what = s.get(0).get("what").asText();
            System.out.printf(Locale.ROOT, "%-34s %11.3f %11.3f %9.2f %7s %4s %9s%n", what, sdm, nd, ratio,
                    "<=" + KERNEL_GOAL + "x", yes(met), yes(moon));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("what", what);
            f.put("sdmBestMs", sdm);
            f.put("nodeBestMs", nd);
            f.put("sdmOverNode", round(ratio));
            f.put("goal", KERNEL_GOAL);
            f.put("met", met);
            f.put("moonshot", KERNEL_MOONSHOT);
            f.put("moonshotMet", moon);
            f.put("checksum", s.get(0).get("checksum").asText());
            f.put("sdmRuns", s);
            f.put("nodeRuns", n);
            kernelFigures.put(k, f);
            goals.put(k + " within " + KERNEL_GOAL + "x of node", met);
        }
        out.put("kernels", kernelFigures);
        System.out.println("best of " + samples + " samples after " + warmupMs / 1000 + " s of warm-up, each side; "
                + "a sample times enough runs together to last " + targetMs / 2 + " ms or more (Date.now() has 1 ms "
                + "steps); goal: every kernel within " + KERNEL_GOAL + "x of node, moonshot " + KERNEL_MOONSHOT + "x");

        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %11s %11s %11s %9s %7s %4s%n", "sdm.call round trip (us), median of "
                + runs, "js", "java", "raw zmq", "js/java", "goal", "ok");
        Map<String, Object> callFigures = new LinkedHashMap<>();
        callRow(callFigures, "mean of all calls", med(jsCalls, "/meanMicros"), medMean(javaCalls), medMean(rawCalls),
                null);
        double jsP50 = med(jsCalls, "/batches/p50Micros");
        double javaP50 = med(javaCalls, "/batches/p50Micros");
        boolean callMet = jsP50 <= CALL_GOAL * javaP50;
        callRow(callFigures, "p50 of " + batch + "-call batch means", jsP50, javaP50, med(rawCalls, "/batches/p50Micros"),
                callMet);
        callRow(callFigures, "p90 of " + batch + "-call batch means", med(jsCalls, "/batches/p90Micros"),
                med(javaCalls, "/batches/p90Micros"), med(rawCalls, "/batches/p90Micros"), null);
        // the sandbox's clock (Date.now(), 1 ms steps) cannot time one call
        callRow(callFigures, "p50 per call", Double.NaN, med(javaCalls, "/sequential/p50Micros"),
                med(rawCalls, "/sequential/p50Micros"), null);
        callRow(callFigures, "p90 per call", Double.NaN, med(javaCalls, "/sequential/p90Micros"),
                med(rawCalls, "/sequential/p90Micros"), null);
        callFigures.put("jsRuns", jsCalls);
        callFigures.put("javaRuns", javaCalls);
        callFigures.put("rawRuns", rawCalls);
        out.put("calls", callFigures);
        goals.put("js sdm.call p50 within " + CALL_GOAL + "x of java", callMet);
        System.out.println("js: await sdm.call('add', [i, 1], {nodes: [id]}) one after the other in a program; java: "
                + "ProgramCalls.call(...).get() in the master (bench:calls); raw: JeroMQ DEALER/ROUTER echo with CURVE; "
                + count + " calls each after a warm-up, to the same slave; the js side times batches of " + batch
                + " with Date.now() (1 ms steps: no single call, -), warm-up and measured batches in one loop; "
                + "goal: js p50 of batch means within " + CALL_GOAL + "x of java's");

        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %11s %11s %9s %7s %4s%n", "master, median of " + runs, "sdm", "node",
                "sdm/node", "goal", "ok");
        Map<String, Object> masterFigures = new LinkedHashMap<>();
        double idle = Bench.medianOf(rssIdle);
        double one = Bench.medianOf(rssOne);
        double all = Bench.medianOf(rssAll);
        boolean rssMet = all < RSS_GOAL_MB;
        masterRow(masterFigures, "RSS idle (MB)", idle, Double.NaN, "", null);
        masterRow(masterFigures, "RSS, 1 program (MB)", one, Double.NaN, "", null);
        masterRow(masterFigures, "RSS, " + programs + " programs (MB)", all, Double.NaN, "<" + (int) RSS_GOAL_MB,
                rssMet);
        masterRow(masterFigures, "RSS, first program over idle (MB)", one - idle, Double.NaN, "", null);
        masterRow(masterFigures, "RSS per further program (MB)", (all - one) / (programs - 1), Double.NaN, "", null);
        double nodeMs = Bench.medianOf(nodeStart);
        masterRow(masterFigures, "start to first log, cold (ms)", Bench.medianOf(cold), nodeMs, "", null);
        masterRow(masterFigures, "start to first log, warm (ms)", Bench.medianOf(warm), nodeMs, "", null);
        masterFigures.put("rssIdleRuns", rssIdle);
        masterFigures.put("rssOneRuns", rssOne);
        masterFigures.put("rssAllRuns", rssAll);
        masterFigures.put("coldRuns", cold);
        masterFigures.put("warmRuns", warm);
        masterFigures.put("nodeStartRuns", nodeStart);
        out.put("master", masterFigures);
        goals.put("master RSS with " + programs + " programs under " + (int) RSS_GOAL_MB + " MB", rssMet);
        System.out.println("RSS: VmRSS of the master's process, " + JsBench.SETTLE_MS / 1000 + " s after the last start; "
                + "each program: a 100 ms timer. start: from sending sdm:start to the Date.now() of the program's "
                + "first console.log; cold: the first program since the master started, warm: median of the other "
                + (programs - 1) + "; node: process start to its first console.log");

        out.put("goals", goals);
        long met = goals.values().stream().filter(b -> b).count();
        System.out.println();
        System.out.println("goals met: " + met + " of " + goals.size());
        bench.record("js", out);
    }

    private static void callRow(Map<String, Object> out, String label, double js, double java, double raw,
            Boolean met) {
        double ratio = js / java;
        System.out.printf(Locale.ROOT, "%-34s %11s %11.1f %11.1f %9s %7s %4s%n", label, Double.isNaN(js) ? "-"
                : String.format(Locale.ROOT, "%.1f", js), java, raw, Double.isNaN(js) ? "-"
                        : String.format(Locale.ROOT, "%.2f", ratio), met == null ? "" : "<=" + CALL_GOAL + "x",
                met == null ? "" : yes(met));
        Map<String, Object> f = new LinkedHashMap<>();
        if (!Double.isNaN(js)) {
            f.put("js", js);
            f.put("jsOverJava", round(ratio));
        }
        f.put("java", java);
        f.put("raw", raw);
        if (met != null) {
            f.put("goal", CALL_GOAL);
            f.put("met", met);
        }
        out.put(label, f);
    }

    private static void masterRow(Map<String, Object> out, String label, double sdm, double node, String goal,
            Boolean met) {
        System.out.printf(Locale.ROOT, "%-34s %11.1f %11s %9s %7s %4s%n", label, sdm, Double.isNaN(node) ? "-"
                : String.format(Locale.ROOT, "%.1f", node), Double.isNaN(node) ? "-"
                        : String.format(Locale.ROOT, "%.2f", sdm / node), goal, met == null ? "" : yes(met));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("sdm", sdm);
        if (!Double.isNaN(node)) {
            f.put("node", node);
            f.put("sdmOverNode", round(sdm / node));
        }
        if (met != null) {
            f.put("met", met);
        }
        out.put(label, f);
    }

    private static double med(List<JsonNode> runs, String pointer) {
        return Bench.medianOf(runs.stream().map(n -> n.at(pointer).asDouble()).toList());
    }

    private static double medMean(List<JsonNode> runs) {
        return Bench.medianOf(runs.stream().map(JsReport::mean).toList());
    }

    private static double round(double ratio) {
        return Math.round(ratio * 100) / 100.0;
    }

    private static String yes(boolean met) {
        return met ? "yes" : "no";
    }

    /** Mean round trip of the sequential calls, in µs: from their rate. */
    static double mean(JsonNode measured) {
        return 1e6 / measured.at("/sequential/perSecond").asDouble();
    }
}
