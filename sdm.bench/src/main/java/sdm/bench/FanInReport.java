package sdm.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import sdm.bench.FanIn.Load;
import sdm.bench.FrozenGroup.Detection;

/**
 * The fan-in benchmark's table (medians over runs) and its entry in {@code bench.json}.
 *
 * @param idle    the master with no slaves, per run
 * @param sdm     the master with the agents, per run
 * @param rawIdle the raw router alone, per run
 * @param raw     the raw router with the agents, per run
 */
record FanInReport(int agents, int stop, long heartbeatMs, long livenessMs, int jvms, List<Load> idle, List<Load> sdm,
        List<Load> rawIdle, List<Load> raw, List<Detection> detection) {

    void print(Bench bench) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "fanin");
        out.put("agents", agents);
        out.put("agentJvms", jvms);
        out.put("heartbeatMs", heartbeatMs);
        out.put("livenessMs", livenessMs);
        out.put("frozen", stop);
        out.put("runs", sdm.size());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-58s %10s %10s %8s%n", "median of " + sdm.size() + " runs", "sdm",
                "baseline", "ratio");
        againstIdleMaster(out);
        againstRawRouter(out);
        frozen(out);
        notes(out);
        out.put("idleMasterRuns", idle);
        out.put("sdmRuns", sdm);
        out.put("rawIdleRuns", rawIdle);
        out.put("rawRuns", raw);
        out.put("detectionRuns", detection);
        System.out.println("ratio: sdm / baseline (1.0 is the baseline); CPU from /proc utime+stime over the window, "
                + "heap used after jcmd GC.run");
        bench.record("fanin", out);
    }

    private void againstIdleMaster(Map<String, Object> out) {
        System.out.println("against the same master with 0 slaves:");
        String s = "vs idle master: ";
        row(out, s, "master CPU, % of one core", m(sdm, Load::cpuPercent), m(idle, Load::cpuPercent));
        row(out, s, "master heap after full GC, MB", m(sdm, Load::heapMb), m(idle, Load::heapMb));
        row(out, s, "master heap committed (G1, no -Xmx), MB", m(sdm, Load::windowHeapCommittedMb),
                m(idle, Load::windowHeapCommittedMb));
        row(out, s, "master RSS, MB", m(sdm, Load::rssMb), m(idle, Load::rssMb));
    }

    private void againstRawRouter(Map<String, Object> out) {
        System.out.println("against a raw JeroMQ CURVE ROUTER serving the same agents:");
        String s = "vs raw router: ";
        row(out, s, "CPU, % of one core", m(sdm, Load::cpuPercent), m(raw, Load::cpuPercent));
        row(out, s, "CPU added by the agents, % of one core", added(sdm, idle, Load::cpuPercent),
                added(raw, rawIdle, Load::cpuPercent));
        row(out, s, "heap added by the agents (after full GC), MB", added(sdm, idle, Load::heapMb),
                added(raw, rawIdle, Load::heapMb));
        row(out, s, "RSS added by the agents, MB", added(sdm, idle, Load::rssMb), added(raw, rawIdle, Load::rssMb));
        row(out, s, "CPU per agent joining (CURVE handshake and more), ms", m(sdm, Load::joinCpuMs),
                m(raw, Load::joinCpuMs));
        row(out, s, "  the same, less the server's idle CPU over the join, ms", joinAboveIdle(sdm, idle),
                joinAboveIdle(raw, rawIdle));
    }

    /** CPU per agent joining, less what the server spends idle over as long (its sweeps and timers). */
    private double joinAboveIdle(List<Load> loaded, List<Load> alone) {
        return m(loaded, Load::joinCpuMs) - m(alone, Load::cpuPercent) / 100 * m(loaded, Load::onlineMs) / agents;
    }

    private void frozen(Map<String, Object> out) {
        System.out.println(stop + " slaves frozen at once (SIGSTOP), against the liveness timeout:");
        String s = "frozen: ";
        row(out, s, "freeze to all " + stop + " offline in sdm:nodes, ms", d(Detection::allOfflineSeenMs), livenessMs);
        row(out, s, "freeze to the master's last offline mark, ms", d(Detection::lastMarkedMs), livenessMs);
        row(out, s, "freeze to the master's first offline mark, ms", d(Detection::firstMarkedMs), livenessMs);
        row(out, s, "silence to offline, past the liveness, median node, ms", d(Detection::lagMedianMs), Double.NaN);
        row(out, s, "silence to offline, past the liveness, slowest node, ms", d(Detection::lagMaxMs), Double.NaN);
    }

    /** The lines under the table: per-slave costs, the load generator's own, and what went wrong meanwhile. */
    private void notes(Map<String, Object> out) {
        double perNodeCpu = added(sdm, idle, Load::cpuPercent) / 100 * 1e6 / agents;
        double perNodeHeap = added(sdm, idle, Load::heapMb) * 1024 / agents;
        System.out.printf(Locale.ROOT, "per slave at the master: %.0f us of CPU per second, %.1f KB of heap%n",
                perNodeCpu, perNodeHeap);
        System.out.printf(Locale.ROOT, "load generator: %d agents in %d JVMs took %.1f%% of one core and %.0f MB RSS "
                + "in all; all online %.1f s after their JVMs started (raw: %.1f s)%n", agents, jvms,
                m(sdm, Load::agentsCpuPercent), m(sdm, Load::agentsRssMb), m(sdm, Load::onlineMs) / 1000,
                m(raw, Load::onlineMs) / 1000);
        int flapped = sdm.stream().mapToInt(Load::flapped).max().orElse(0);
        int falseOffline = detection.stream().mapToInt(Detection::othersOffline).max().orElse(0);
        System.out.printf(Locale.ROOT, "healthy nodes seen offline: %d during the windows, %d while the frozen ones "
                + "were detected; sdm:nodes took %.0f ms to answer (median poll; slowest %.0f ms)%n", flapped,
                falseOffline, d(Detection::pollMs), d(Detection::pollMaxMs));
        System.out.printf(Locale.ROOT, "agents that found their server silent past the liveness and redialed, "
                + "joining and settling: sdm %s, raw %s%n", sdm.stream().map(Load::redials).toList(),
                raw.stream().map(Load::redials).toList());
        System.out.println("master threads in the window, % of one core (first run): "
                + top(sdm.getFirst().threadsCpuPercent()));
        System.out.println("raw router threads in the window, % of one core (first run): "
                + top(raw.getFirst().threadsCpuPercent()));
        out.put("perSlaveCpuMicrosPerSecond", Math.round(perNodeCpu));
        out.put("perSlaveHeapKb", Math.round(perNodeHeap * 10) / 10.0);
        out.put("healthyNodesOfflineDuringWindow", flapped);
        out.put("healthyNodesOfflineDuringDetection", falseOffline);
    }

    /** The busiest threads, as {@code name 1.23, ...}. */
    private static String top(Map<String, Double> threads) {
        return threads.entrySet().stream().limit(8).map(e -> e.getKey() + " " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Prints one row and keeps it in {@code out} under its section and label. */
    private static void row(Map<String, Object> out, String section, String label, double sdm, double baseline) {
        boolean ratio = !Double.isNaN(baseline) && baseline > 0;
        System.out.printf(Locale.ROOT, "  %-56s %10s %10s %8s%n", label, fmt(sdm),
                Double.isNaN(baseline) ? "-" : fmt(baseline),
                ratio ? String.format(Locale.ROOT, "%.2f", sdm / baseline) : "-");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sdm", round(sdm));
        r.put("baseline", Double.isNaN(baseline) ? null : round(baseline));
        r.put("ratio", ratio ? round(sdm / baseline) : null);
        out.put(section + label, r);
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double m(List<Load> runs, ToDoubleFunction<Load> figure) {
        List<Double> v = new ArrayList<>();
        runs.forEach(r -> v.add(figure.applyAsDouble(r)));
        return Bench.medianOf(v);
    }

    /** Median over runs of (loaded minus idle), each run against its own idle figure. */
    private static double added(List<Load> loaded, List<Load> idle, ToDoubleFunction<Load> figure) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < loaded.size(); i++) {
            v.add(figure.applyAsDouble(loaded.get(i)) - figure.applyAsDouble(idle.get(i)));
        }
        return Bench.medianOf(v);
    }

    private double d(ToDoubleFunction<Detection> figure) {
        List<Double> v = new ArrayList<>();
        detection.forEach(r -> v.add(figure.applyAsDouble(r)));
        return Bench.medianOf(v);
    }
}
