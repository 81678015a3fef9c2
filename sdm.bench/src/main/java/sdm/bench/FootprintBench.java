package sdm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.LocalMachine;
import sdm.testkit.ProcFs;
import sdm.testkit.Waits;

/** {@code bin/bench footprint}: what an idle slave costs, beside an idle JVM with the same flags. */
final class FootprintBench {

    private final Bench bench;

    FootprintBench(Bench bench) {
        this.bench = bench;
    }

    /**
     * Idle slave RSS and time from process start to online, for the slaves of {@code bin/sdm
     * local --slaves 3}, beside a JVM that does nothing started with the same flags: its RSS and
     * the time from process start to its {@code main}.
     */
    void run(int runs) throws Exception {
        System.out.println("sdm bench footprint: " + runs + " runs of bin/sdm local --slaves 3, idle 10 s; baseline: "
                + "an idle JVM with the slaves' own flags");
        List<Double> rss = new ArrayList<>();
        List<Double> online = new ArrayList<>();
        List<Double> joining = new ArrayList<>();
        List<Double> rawRss = new ArrayList<>();
        List<Double> rawStart = new ArrayList<>();
        List<String> flags = List.of();
        long bias = startInstantBiasMs();
        System.out.println("process start instants here are off by " + bias + " ms (measured): corrected");
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createDirectories(bench.work.resolve("footprint-" + run));
            LocalMachine machine = bench.startLocal(dir);
            AdminSession admin = machine.admin();
            Thread.sleep(10_000); // idle, as a slave mostly is
            for (JsonNode n : admin.json("sdm:nodes")) {
                long pid = Long.parseLong(Files.readString(dir.resolve("sdm-data/" + n.get("name").asText() + "/sdm.pid"))
                        .strip());
                ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
                long started = h.info().startInstant().orElseThrow().toEpochMilli() - bias;
                online.add((double) (n.get("onlineSinceMs").asLong() - started));
                rss.add(ProcFs.rssMb(pid));
                flags = Bench.jvmFlags(pid);
            }
            // a slave joining a machine that runs: kill -9 it, bin/sdm local starts it again
            for (JsonNode n : admin.json("sdm:nodes")) {
                String name = n.get("name").asText();
                Path pidFile = dir.resolve("sdm-data/" + name + "/sdm.pid");
                long old = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(old).ifPresent(ProcessHandle::destroyForcibly);
                long[] fresh = new long[2];
                Waits.untilTrue(name + " started again", Duration.ofSeconds(60), () -> {
                    long pid = Long.parseLong(Files.readString(pidFile).strip());
                    Optional<java.time.Instant> at = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
                    fresh[0] = pid;
                    fresh[1] = at.map(java.time.Instant::toEpochMilli).orElse(0L) - bias;
                    return pid != old && at.isPresent();
                });
                Waits.untilTrue(name + " online again", Duration.ofSeconds(60), () -> {
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
            machine.close();

            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(flags);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleJvm.class.getName()));
            Process idle = bench.start(dir, command, "idle");
            try {
                Waits.untilTrue("the idle JVM", Duration.ofSeconds(60), () -> Files.readString(dir.resolve("idle.out")).contains("main "));
                long mainAt = Long.parseLong(Files.readString(dir.resolve("idle.out")).strip().split(" ")[1]);
                rawStart.add((double) (mainAt - (idle.toHandle().info().startInstant().orElseThrow().toEpochMilli() - bias)));
                Thread.sleep(10_000);
                rawRss.add(ProcFs.rssMb(idle.pid()));
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
        out.put("startInstantBiasMs", bias);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "median over slaves and runs", "sdm slave", "idle JVM",
                "ratio");
        footprintRow(out, "idle RSS (MB)", rss, rawRss);
        double largest = rss.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.printf(Locale.ROOT, "%-34s %12.1f%n", "idle RSS, the largest slave (MB)", largest);
        out.put("slaveRssLargestMb", largest);
        footprintRow(out, "start to online, joining (ms)", joining, rawStart);
        footprintRow(out, "start to online, all at once (ms)", online, rawStart);
        out.put("slaveRssMb", rss);
        out.put("slaveJoiningStartToOnlineMs", joining);
        out.put("slaveStartToOnlineMs", online);
        System.out.println("joining: a slave killed and started again by bin/sdm local while the master and the other "
                + "slaves run; all at once: the master and 3 slaves started together on this machine's cores");
        System.out.println("baseline for start: an idle JVM's process start to its main(); goals: RSS under 64 MiB "
                + "(67.1 MB) for the largest slave, joining within 1.0 s");
        bench.record("footprint", out);
    }

    /**
     * How far {@link ProcessHandle.Info#startInstant()} is off here: Linux gives a process's start
     * in clock ticks since boot, and the boot time only to the second, so every start instant is
     * off by the same fraction of a second. Measured on a process started now.
     */
    private static long startInstantBiasMs() throws IOException {
        long before = System.currentTimeMillis();
        Process p = new ProcessBuilder("sleep", "5").start();
        long after = System.currentTimeMillis();
        try {
            return p.toHandle().info().startInstant().orElseThrow().toEpochMilli() - (before + after) / 2;
        } finally {
            p.destroy();
        }
    }

    private static void footprintRow(Map<String, Object> out, String label, List<Double> sdm, List<Double> raw) {
        double s = Bench.medianOf(sdm);
        double r = Bench.medianOf(raw);
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %8.2f%n", label, s, r, s / r);
        out.put(label, Map.of("sdm", s, "raw", r, "ratio", Math.round(s / r * 100) / 100.0));
    }
}
