package sdm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.ProcFs;
import sdm.testkit.ReplicaSet;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * {@code bin/bench failover}: three replicated masters and two slaves. The leader is killed
 * (kill -9) {@code --kills} times, started again after each and caught up for a few seconds
 * before the next; failover is the time from the kill
 * to both of: every slave online at the new leader, and an install acknowledged through a client
 * that knows the three masters. Beside it, what replication costs: install and stop latency,
 * each master's RSS and idle CPU, against one {@code bin/sdm master} with the same two
 * {@code bin/sdm slave} processes, run in the same run. Latencies are taken twice: on masters just started, and after
 * {@value #WARM_COMMITS} commits (a JS program's {@code sdm.store.set}), once the JIT has
 * compiled the code that commits a change (a master that commits seldom runs it interpreted).
 */
final class FailoverBench {

    private static final int SLAVES = 2;
    private static final int LATENCY_ROUNDS = 10;
    private static final int WARM_COMMITS = 5_000;
    private static final long IDLE_MS = 10_000;
    /** How long a restarted master runs caught up before the next kill. */
    private static final long SETTLE_MS = 3_000;

    private final Bench bench;
    private final int kills;

    FailoverBench(Bench bench, Map<String, String> options) {
        this.bench = bench;
        this.kills = Integer.parseInt(options.getOrDefault("--kills", "10"));
    }

    /** Medians (ms) of install --start and sdm:stop. */
    private record Latency(double installMs, double stopMs) {
    }

    /** Latencies just started and warm, and the masters' RSS (MB) and idle CPU (% of a core). */
    private record Cost(Latency cold, Latency warm, List<Double> rssMb, List<Double> cpuPercent) {
    }

    void run(int runs) throws Exception {
        System.out.println("sdm bench failover: " + runs + " runs; 3 masters and " + SLAVES + " slaves, the leader"
                + " killed " + kills + " times; baseline: one bin/sdm master and " + SLAVES + " slaves");
        List<Double> p50s = new ArrayList<>();
        List<Double> maxes = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Cost> one = new ArrayList<>();
        List<Cost> three = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createDirectories(bench.work.resolve("failover-" + run));
            Path single = Files.createDirectories(dir.resolve("one"));
            one.add(singleMasterCost(single));
            List<Double> times = new ArrayList<>();
            Path replicated = Files.createDirectories(dir.resolve("three"));
            List<SdmProcess> slaves = new ArrayList<>();
            try (ReplicaSet masters = new ReplicaSet(replicated, 3)) {
                masters.startAll();
                int leader = masters.leader(Duration.ofSeconds(90));
                String token = masters.joinToken(leader);
                for (int k = 1; k <= SLAVES; k++) {
                    slaves.add(SdmProcess.slave(replicated, Map.of(), masters.list(), token, "slave-" + k));
                }
                AdminSession admin = new AdminSession(masters.data(leader), masters.list());
                Waits.untilTrue(SLAVES + " slaves online", Duration.ofSeconds(120),
                        () -> admin.onlineCount() == SLAVES);
                List<Long> pids = new ArrayList<>();
                pids.add(masters.process(leader).pid());
                for (int i = 0; i < masters.size(); i++) {
                    if (i != leader) {
                        pids.add(masters.process(i).pid());
                    }
                }
                three.add(cost(admin, pids, replicated, "three"));
                for (int k = 1; k <= kills; k++) {
                    double[] ms = failover(masters, admin, replicated, "fo-" + k);
                    times.add(Math.max(ms[0], ms[1]));
                    System.out.printf(Locale.ROOT, "run %d, kill %d: %.0f ms (slaves at the new leader %.0f ms,"
                            + " install acknowledged %.0f ms)%n", run, k, Math.max(ms[0], ms[1]), ms[0], ms[1]);
                }
            } finally {
                slaves.forEach(SdmProcess::close);
            }
            double p50 = Bench.medianOf(times);
            double max = times.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            p50s.add(p50);
            maxes.add(max);
            all.addAll(times);
            System.out.printf(Locale.ROOT, "run %d: failover p50 %.0f ms, max %.0f ms over %d kills; install %.0f vs %.0f"
                    + " ms, stop %.0f vs %.0f ms (3 masters vs 1); warm: install %.0f vs %.0f ms, stop %.0f vs %.0f ms%n",
                    run, p50, max, kills, three.getLast().cold().installMs(), one.getLast().cold().installMs(),
                    three.getLast().cold().stopMs(), one.getLast().cold().stopMs(), three.getLast().warm().installMs(),
                    one.getLast().warm().installMs(), three.getLast().warm().stopMs(), one.getLast().warm().stopMs());
        }
        report(runs, p50s, maxes, all, one, three);
    }

    /**
     * One kill of the leader: the times (ms) until every slave is online at the new leader
     * (online since after the kill) and until an install is acknowledged, both asked all along;
     * then the killed master is started again and waited for until it is caught up.
     */
    private double[] failover(ReplicaSet masters, AdminSession admin, Path dir, String name) throws Exception {
        int old = masters.leader(Duration.ofSeconds(30));
        Path zip = TestPrograms.pack(dir, name, "1.0.0", "x86_64", Map.of(), 0);
        long killedAt = System.currentTimeMillis();
        long start = System.nanoTime();
        masters.kill(old);
        CompletableFuture<Long> slavesBack = CompletableFuture.supplyAsync(() -> awaitSlaves(admin, killedAt));
        CompletableFuture<Long> installed = CompletableFuture.supplyAsync(() -> awaitInstall(admin, zip, name));
        double[] ms = {(slavesBack.get() - start) / 1e6, (installed.get() - start) / 1e6};
        masters.start(old);
        // the next kill finds a healthy machine: every master online and caught up, for a while
        Waits.untilTrue("the killed master back and caught up", Duration.ofSeconds(90), () -> caughtUp(admin));
        Thread.sleep(SETTLE_MS);
        return ms;
    }

    /** Whether the leader sees every master online and none behind what was committed. */
    private static boolean caughtUp(AdminSession admin) throws Exception {
        JsonNode replicas = admin.json("sdm:master").path("replicas");
        for (JsonNode r : replicas) {
            if (!r.path("online").asBoolean() || r.path("lagMs").asLong() != 0) {
                return false;
            }
        }
        return replicas.size() == 3;
    }

    private static long awaitSlaves(AdminSession admin, long since) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                int back = 0;
                for (JsonNode n : admin.json("sdm:nodes")) {
                    back += n.path("online").asBoolean() && n.path("onlineSinceMs").asLong() >= since ? 1 : 0;
                }
                if (back == SLAVES) {
                    return System.nanoTime();
                }
            } catch (Exception e) {
                // no leader yet
            }
            pause(100); // a connection and a CURVE handshake each: often enough, and no load of its own
        }
        throw new IllegalStateException("the slaves were not all online at the new leader within 60 s");
    }

    private static long awaitInstall(AdminSession admin, Path zip, String name) {
        long deadline = System.currentTimeMillis() + 60_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                var reply = admin.reply(Duration.ofSeconds(10), true, "sdm:install", zip.toString());
                // an attempt whose answer was lost may have been committed: then this one is refused
                if (reply.ok() || reply.error().contains("program " + name + " is already installed")) {
                    return System.nanoTime();
                }
                last = reply.error();
            } catch (Exception e) {
                last = e.getMessage();
            }
            pause(20);
        }
        throw new IllegalStateException("no install acknowledged within 60 s: " + last);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** The baseline: one bin/sdm master and the same two bin/sdm slave processes. */
    private Cost singleMasterCost(Path dir) throws Exception {
        int port = Ports.freePair();
        List<SdmProcess> slaves = new ArrayList<>();
        try (SdmProcess master = SdmProcess.master(dir, port, "master")) {
            String token = SdmProcess.joinToken(dir.resolve("master"));
            for (int k = 1; k <= SLAVES; k++) {
                slaves.add(SdmProcess.slave(dir, Map.of(), port, token, "slave-" + k));
            }
            AdminSession admin = new AdminSession(dir.resolve("master"));
            Waits.untilTrue(SLAVES + " slaves online", Duration.ofSeconds(120), () -> admin.onlineCount() == SLAVES);
            return cost(admin, List.of(master.pid()), dir, "one");
        } finally {
            slaves.forEach(SdmProcess::close);
        }
    }

    /** Install --start and sdm:stop latencies, cold and warm, then RSS and CPU idle. */
    private Cost cost(AdminSession admin, List<Long> masterPids, Path dir, String tag) throws Exception {
        Latency cold = latency(admin, dir, tag + "-cold");
        warmUp(admin, dir, tag);
        Latency warm = latency(admin, dir, tag + "-warm");
        long[] cpuBefore = new long[masterPids.size()];
        for (int i = 0; i < cpuBefore.length; i++) {
            cpuBefore[i] = ProcessFigures.cpuMs(masterPids.get(i));
        }
        long idleStart = System.nanoTime();
        Thread.sleep(IDLE_MS); // idle, slaves connected: heartbeats, and the masters' consensus
        double elapsedMs = (System.nanoTime() - idleStart) / 1e6;
        List<Double> cpu = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < cpuBefore.length; i++) {
            cpu.add(100.0 * (ProcessFigures.cpuMs(masterPids.get(i)) - cpuBefore[i]) / elapsedMs);
            rss.add(ProcFs.rssMb(masterPids.get(i)));
        }
        return new Cost(cold, warm, rss, cpu);
    }

    /** Medians of {@value #LATENCY_ROUNDS} rounds of install --start, stop and uninstall. */
    private static Latency latency(AdminSession admin, Path dir, String tag) throws Exception {
        List<Double> installs = new ArrayList<>();
        List<Double> stops = new ArrayList<>();
        for (int i = 0; i <= LATENCY_ROUNDS; i++) {
            String name = "lat-" + tag + "-" + i;
            Path zip = TestPrograms.pack(dir, name, "1.0.0", "x86_64", Map.of(), 0);
            long t0 = System.nanoTime();
            admin.text("sdm:install", "--start", zip.toString());
            long t1 = System.nanoTime();
            admin.text("sdm:stop", name);
            long t2 = System.nanoTime();
            admin.text("sdm:uninstall", name);
            if (i > 0) { // the first of each loads the classes of these commands
                installs.add((t1 - t0) / 1e6);
                stops.add((t2 - t1) / 1e6);
            }
        }
        return new Latency(Bench.medianOf(installs), Bench.medianOf(stops));
    }

    /** {@value #WARM_COMMITS} commits of a JS program's store, 20 a turn (a turn has a CPU budget). */
    private static void warmUp(AdminSession admin, Path dir, String tag) throws Exception {
        String name = "warm-" + tag;
        admin.installScript(dir, name, """
                let n = 0;
                sdm.every(20, () => {
                  for (let i = 0; i < 20 && n < %d; i++) {
                    sdm.store.set('n', ++n);
                  }
                  if (n === %d) {
                    n++;
                    console.log('warm: done');
                  }
                });
                """.formatted(WARM_COMMITS, WARM_COMMITS));
        Waits.untilTrue(WARM_COMMITS + " commits of " + name, Duration.ofSeconds(300),
                () -> admin.log(name).contains("warm: done"));
        admin.text("sdm:uninstall", name);
    }

    private void report(int runs, List<Double> p50s, List<Double> maxes, List<Double> all, List<Cost> one,
            List<Cost> three) throws Exception {
        double p50 = Bench.medianOf(p50s);
        double max = Bench.medianOf(maxes);
        double worst = all.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double install3 = Bench.medianOf(three.stream().map(c -> c.cold().installMs()).toList());
        double install1 = Bench.medianOf(one.stream().map(c -> c.cold().installMs()).toList());
        double stop3 = Bench.medianOf(three.stream().map(c -> c.cold().stopMs()).toList());
        double stop1 = Bench.medianOf(one.stream().map(c -> c.cold().stopMs()).toList());
        double warmInstall3 = Bench.medianOf(three.stream().map(c -> c.warm().installMs()).toList());
        double warmInstall1 = Bench.medianOf(one.stream().map(c -> c.warm().installMs()).toList());
        double warmStop3 = Bench.medianOf(three.stream().map(c -> c.warm().stopMs()).toList());
        double warmStop1 = Bench.medianOf(one.stream().map(c -> c.warm().stopMs()).toList());
        double leaderRss = Bench.medianOf(three.stream().map(c -> c.rssMb().get(0)).toList());
        double followerRss = Bench.medianOf(three.stream().flatMap(c -> c.rssMb().subList(1, 3).stream()).toList());
        double singleRss = Bench.medianOf(one.stream().map(c -> c.rssMb().get(0)).toList());
        double leaderCpu = Bench.medianOf(three.stream().map(c -> c.cpuPercent().get(0)).toList());
        double followerCpu = Bench.medianOf(three.stream().flatMap(c -> c.cpuPercent().subList(1, 3).stream())
                .toList());
        double singleCpu = Bench.medianOf(one.stream().map(c -> c.cpuPercent().get(0)).toList());
        System.out.println();
        System.out.printf(Locale.ROOT, "failover, kill -9 of the leader to every slave at the new one and an install"
                + " acknowledged (medians of %d runs of %d kills): p50 %.2f s, max %.2f s (worst of all %.2f s)%n",
                runs, kills, p50 / 1000, max / 1000, worst / 1000);
        System.out.printf(Locale.ROOT, "%-34s %10s %10s %10s%n", "", "3 masters", "1 master", "added");
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10.0f %+10.0f%n", "install --start, 2 slaves (ms)", install3,
                install1, install3 - install1);
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10.0f %+10.0f%n", "sdm:stop, 2 slaves (ms)", stop3, stop1,
                stop3 - stop1);
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10.0f %+10.0f%n", "  warm: install --start (ms)", warmInstall3,
                warmInstall1, warmInstall3 - warmInstall1);
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10.0f %+10.0f%n", "  warm: sdm:stop (ms)", warmStop3, warmStop1,
                warmStop3 - warmStop1);
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10.0f %10s%n", "RSS leader (MB)", leaderRss, singleRss, "");
        System.out.printf(Locale.ROOT, "%-34s %10.0f %10s %10s%n", "RSS follower (MB)", followerRss, "", "");
        System.out.printf(Locale.ROOT, "%-34s %10.1f %10.1f %10s%n", "idle CPU leader (% of a core)", leaderCpu,
                singleCpu, "");
        System.out.printf(Locale.ROOT, "%-34s %10.1f %10s %10s%n", "idle CPU follower (% of a core)", followerCpu, "",
                "");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs);
        out.put("killsPerRun", kills);
        out.put("failoverP50Ms", p50);
        out.put("failoverMaxMs", max);
        out.put("failoverWorstMs", worst);
        out.put("failoverMs", all);
        out.put("installMs", Map.of("three", install3, "one", install1));
        out.put("stopMs", Map.of("three", stop3, "one", stop1));
        out.put("warmInstallMs", Map.of("three", warmInstall3, "one", warmInstall1));
        out.put("warmStopMs", Map.of("three", warmStop3, "one", warmStop1));
        out.put("rssMb", Map.of("leader", leaderRss, "follower", followerRss, "one", singleRss));
        out.put("idleCpuPercent", Map.of("leader", leaderCpu, "follower", followerCpu, "one", singleCpu));
        bench.record("failover", out);
    }
}
