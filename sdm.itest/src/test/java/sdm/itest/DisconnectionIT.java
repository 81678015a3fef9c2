package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * Disconnection on real processes: a call to a frozen node never runs there, events a slave
 * raises while its master is away are delivered or dropped by their time to live and the
 * queue's bound, and a slave frozen for a minute converges once it is back. Each test starts
 * with every slave online, the probe active and the master at its first timing, and compares the
 * counters and machine log lines it checks with those at its start. slave-c joins with the first
 * test that needs a third slave.
 */
class DisconnectionIT {

    /** touch() writes a file; burst() logs n errors from a thread of its own after a delay, then writes a marker. */
    private static final String PROBE = """
            #include <fcntl.h>
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            static void (*sdm_log)(int, const char *);
            void sdm_set_logger(void (*log)(int, const char *)) { sdm_log = log; }
            int touch(const char *path) {
                int fd = open(path, O_CREAT | O_WRONLY, 0644);
                if (fd < 0) return -1;
                close(fd);
                return VERSION;
            }
            struct burst { int n; int delay_ms; char marker[512]; };
            static void *run(void *arg) {
                struct burst *b = arg;
                usleep(b->delay_ms * 1000);
                char line[64];
                for (int i = 0; i < b->n; i++) {
                    snprintf(line, sizeof line, "burst %d", i);
                    if (sdm_log) sdm_log(1, line);
                }
                int fd = open(b->marker, O_CREAT | O_WRONLY, 0644);
                if (fd >= 0) close(fd);
                free(b);
                return NULL;
            }
            int burst(int n, int delay_ms, const char *marker) {
                struct burst *b = malloc(sizeof *b);
                b->n = n;
                b->delay_ms = delay_ms;
                strncpy(b->marker, marker, sizeof b->marker - 1);
                b->marker[sizeof b->marker - 1] = 0;
                pthread_t t;
                if (pthread_create(&t, NULL, run, b) != 0) { free(b); return -1; }
                pthread_detach(t);
                return 0;
            }
            """;
    private static final String FUNCTIONS = """
            { "name": "touch", "returns": "int", "params": ["string"] },
            { "name": "burst", "returns": "int", "params": ["int", "int", "string"] }
            """;
    private static final String HEAP = SdmProcess.SMALL_HEAP;

    @TempDir
    static Path work;

    private static final List<SdmProcess> processes = new ArrayList<>();
    private static SdmProcess master;
    private static SdmProcess slaveC;
    private static AdminSession admin;
    private static int port;
    private static Path data;
    /** The master's heartbeat and liveness before any test, as {@code deploy/sdm.master.cfg} says them. */
    private static String firstTiming;

    @BeforeAll
    static void startMachine() throws Exception {
        port = Ports.free();
        data = work.resolve("master");
        master = startMaster();
        admin = new AdminSession(data);
        String token = SdmProcess.joinToken(data);
        // slave-a keeps events 2 s, up to 20,000; slave-b keeps them 2 minutes, up to 1,000
        processes.add(SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", HEAP
                + " -Dsdm.events.ttl.ms=2000 -Dsdm.events.queue=20000"), port, token, "slave-a"));
        processes.add(SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", HEAP
                + " -Dsdm.events.ttl.ms=120000 -Dsdm.events.queue=1000"), port, token, "slave-b"));
        Waits.until("2 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 2);
        Path probe = TestPrograms.packNative(work, "probe", "1.0.0", PROBE, FUNCTIONS);
        assertThat(admin.states(admin.json("sdm:install", "--start", probe.toString())))
                .containsEntry("slave-a", "active").containsEntry("slave-b", "active");
        firstTiming = timing(admin.json("sdm:master"));
    }

    private static String timing(JsonNode master) {
        return "sdm.heartbeat.ms=" + master.get("heartbeatMs").asLong() + "\nsdm.liveness.ms="
                + master.get("livenessMs").asLong() + "\n";
    }

    @BeforeEach
    void everySlaveOnlineWithTheProbe() throws Exception {
        Waits.until("the master's first timing", Duration.ofSeconds(15), Duration.ofMillis(100),
                () -> timing(admin.json("sdm:master")), firstTiming::equals);
        SharedMachine.explained(work, () -> SharedMachine.online(admin, slaveC == null ? 2 : 3));
        SharedMachine.uninstallAllBut(admin, Set.of("probe"));
        Waits.until("the probe active on slave-a and slave-b", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.states(admin.app("probe")),
                s -> "active".equals(s.get("slave-a")) && "active".equals(s.get("slave-b")));
    }

    /** slave-c, started by the first test that needs it, online with the others. */
    private static void startSlaveC() throws Exception {
        if (slaveC == null) {
            String token = SdmProcess.joinToken(data);
            slaveC = SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", HEAP), port, token, "slave-c");
            processes.add(slaveC);
        }
        SharedMachine.online(admin, 3);
    }

    private static SdmProcess startMaster() throws Exception {
        SdmProcess m = SdmProcess.master(work, port, "master");
        processes.add(m);
        return m;
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (SdmProcess p : processes) {
            p.close();
        }
    }

    private static long pid(String slave) throws Exception {
        return Long.parseLong(Files.readString(work.resolve(slave + "/sdm.pid")).strip());
    }

    private static String id(String slave) throws Exception {
        return admin.node(slave).get("id").asText();
    }

    /** The numbers of the burst errors from one slave in a program log, in the order shown. */
    private static List<Integer> bursts(String log, String slave) {
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile("error on " + slave + ": burst (\\d+)").matcher(log);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** How much the counter {@code name} has grown since {@code at}, the counters of {@code sdm:master}. */
    private static long since(JsonNode at, String name) throws Exception {
        return admin.counter(name) - at.path(name).asLong();
    }

    @Test
    void aCallToAFrozenNodeReturnsAtItsTimeoutAndNeverRunsThere() throws Exception {
        String a = id("slave-a");
        long expiredBefore = admin.counter("node.slave-a.droppedExpired");
        Path never = work.resolve("ran-while-frozen");
        Path after = work.resolve("ran-after-thaw");
        long livenessMs = admin.json("sdm:master").get("livenessMs").asLong();
        SdmProcess.signal("STOP", pid("slave-a"));
        JsonNode result;
        long started = System.nanoTime();
        long tookMs;
        try {
            result = admin.json("sdm:call", "--json", "--timeout", "1", "--node", a, "probe", "touch", never.toString());
            tookMs = (System.nanoTime() - started) / 1_000_000;
            // frozen well past the call's timeout (at the boundary itself a timeout is a race), and past
            // the liveness: awake, the slave finds its master silent, yet must read what it was sent
            Waits.until("past the liveness", Duration.ofMillis(livenessMs + 5_000), Duration.ofMillis(50),
                    System::nanoTime, now -> now - started > Duration.ofMillis(livenessMs + 500).toNanos()
                            && now - started > Duration.ofMillis(tookMs + 1_000).toNanos());
        } finally {
            SdmProcess.signal("CONT", pid("slave-a"));
        }
        assertThat(result.get(a).path("error").asText()).contains("no answer within 1000 ms");
        assertThat(tookMs).as("the command returns at its timeout").isLessThan(5_000);
        // once slave-a answers a call made after it woke, it has read everything sent before
        JsonNode later = Waits.until("slave-a answering again", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.json("sdm:call", "--json", "--timeout", "5", "--node", a, "probe", "touch", after.toString()),
                r -> r.get(a).isNumber());
        assertThat(later.get(a).asInt()).isEqualTo(100);
        assertThat(after).exists();
        assertThat(never).as("the expired call did not run").doesNotExist();
        try {
            Waits.until("slave-a's expired count at the master", Duration.ofSeconds(15), Duration.ofMillis(200),
                    () -> admin.counter("node.slave-a.droppedExpired"), n -> n > expiredBefore);
        } catch (java.util.concurrent.TimeoutException e) {
            List<String> log = Files.readAllLines(work.resolve("slave-a/log/sdm.0.log"));
            log.subList(Math.max(0, log.size() - 30), log.size()).forEach(System.out::println);
            throw e;
        }
    }

    @Test
    void eventsRaisedWhileTheMasterIsAwayAreDeliveredOrDroppedByTheirTtlAndTheQueueBound() throws Exception {
        JsonNode at = Waits.until("both slaves' counters at the master", Duration.ofSeconds(15), Duration.ofMillis(200),
                () -> admin.json("sdm:master").get("counters"),
                c -> c.has("node.slave-a.eventsRaised") && c.has("node.slave-b.eventsRaised"));
        Set<String> logBefore = SharedMachine.machineLog(admin);
        Path markerA = work.resolve("burst-a-done");
        Path markerB = work.resolve("burst-b-done");
        for (String[] s : new String[][] {{"slave-a", markerA.toString()}, {"slave-b", markerB.toString()}}) {
            String node = id(s[0]);
            // the errors start 6 s from now, when the slave has lost its frozen master (liveness 3 s)
            assertThat(admin.json("sdm:call", "--json", "--node", node, "probe", "burst", "10000", "6000", s[1])
                    .get(node).asInt()).isZero();
        }
        long masterPid = master.pid();
        SdmProcess.signal("STOP", masterPid);
        try {
            Waits.until("both bursts logged", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> Files.exists(markerA) && Files.exists(markerB), done -> done);
            long burstDone = Math.max(Files.getLastModifiedTime(markerA).toMillis(),
                    Files.getLastModifiedTime(markerB).toMillis());
            // slave-a's events live 2 s: stay away longer than that
            Waits.until("slave-a's events expired", Duration.ofSeconds(10), Duration.ofMillis(100),
                    System::currentTimeMillis, now -> now > burstDone + 3_000);
        } finally {
            SdmProcess.signal("CONT", masterPid);
        }
        long thawed = System.nanoTime();
        SharedMachine.explained(work, () -> {
            Waits.until("slave-a's 10,000 events counted as expired", Duration.ofSeconds(90), Duration.ofMillis(500),
                    () -> since(at, "node.slave-a.eventsExpired"), n -> n == 10_000);
            Waits.until("slave-b's events delivered", Duration.ofSeconds(30), Duration.ofMillis(500),
                    () -> since(at, "node.slave-b.eventsSent"), n -> n == 1_000);
        });
        System.out.println("events: slave-b's 1,000 delivered and slave-a's 10,000 counted expired "
                + (System.nanoTime() - thawed) / 1_000_000 + " ms after the master was thawed");
        assertThat(since(at, "node.slave-a.eventsRaised")).isEqualTo(10_000);
        assertThat(since(at, "node.slave-a.eventsSent")).isZero();
        assertThat(since(at, "node.slave-b.eventsOverflowed")).isEqualTo(9_000);
        assertThat(since(at, "nodesDroppedExpired")).isGreaterThanOrEqualTo(10_000);

        String log = admin.reply("sdm:log", "--lines", "5000", "probe").output();
        assertThat(log).doesNotContain("on slave-a: burst");
        assertThat(bursts(log, "slave-b")).as("the newest 1,000, in order")
                .isEqualTo(IntStream.range(9_000, 10_000).boxed().toList());
        assertThat(SharedMachine.machineLogSince(admin, logBefore)).contains("machine: node slave-a");
    }

    private static String maps(String slave) throws Exception {
        return Files.readString(Path.of("/proc/" + pid(slave) + "/maps"));
    }

    /** Each program's state on slave-c, "-" where slave-c has none. */
    private static Map<String, String> onSlaveC(String... programs) throws Exception {
        Map<String, String> s = new TreeMap<>();
        for (String p : programs) {
            JsonNode app = admin.app(p);
            s.put(p, app == null ? "-" : admin.states(app).getOrDefault("slave-c", "-"));
        }
        return s;
    }

    /** Installs and starts a program of its own; its state on each node. */
    private static Map<String, String> installStarted(String name) throws Exception {
        Path archive = TestPrograms.pack(work, name, "1.0.0", "x86_64", Map.of(), 0);
        return admin.states(admin.json("sdm:install", "--start", archive.toString()));
    }

    @Test
    void aSlaveCutOffForAMinuteConvergesWithin5sOfComingBack() throws Exception {
        startSlaveC();
        for (String name : List.of("keep", "halt", "gone")) {
            assertThat(installStarted(name)).containsEntry("slave-c", "active");
        }
        Set<String> logBefore = SharedMachine.machineLog(admin);
        long pid = pid("slave-c");
        long cutAt = System.nanoTime();
        long detectedMs;
        long healedAt;
        SdmProcess.signal("STOP", pid);
        try {
            Waits.until("slave-c offline", Duration.ofSeconds(15), Duration.ofMillis(50),
                    () -> admin.node("slave-c").get("online").asBoolean(), online -> !online);
            detectedMs = (System.nanoTime() - cutAt) / 1_000_000;
            admin.json("sdm:stop", "halt");
            admin.json("sdm:uninstall", "gone");
            installStarted("fresh");
            // frozen, slave-c still has what it had
            assertThat(maps("slave-c")).contains("libkeep.so").contains("libhalt.so").contains("libgone.so");
            Waits.until("a minute cut off", Duration.ofSeconds(70), Duration.ofMillis(200), System::nanoTime,
                    now -> now - cutAt > Duration.ofSeconds(60).toNanos());
        } finally {
            healedAt = System.nanoTime();
            SdmProcess.signal("CONT", pid);
        }
        Waits.until("slave-c converged", Duration.ofSeconds(30), Duration.ofMillis(50),
                () -> onSlaveC("keep", "halt", "fresh", "gone"),
                s -> s.equals(Map.of("keep", "active", "halt", "stopped", "fresh", "active", "gone", "-")));
        long convergedMs = (System.nanoTime() - healedAt) / 1_000_000;
        String maps = maps("slave-c");
        assertThat(maps).contains("libkeep.so").contains("libfresh.so").doesNotContain("libhalt.so")
                .doesNotContain("libgone.so");
        assertThat(SharedMachine.machineLogSince(admin, logBefore))
                .containsPattern("machine: node slave-c \\(\\w+\\) is offline: silent for \\d+ ms")
                .containsPattern("machine: node slave-c \\(\\w+\\) is back online after \\d+ ms offline");
        System.out.println("partition: offline after " + detectedMs + " ms, converged " + convergedMs
                + " ms after healing");
        assertThat(convergedMs).as("converged after healing (ms)").isLessThanOrEqualTo(5_000);
    }

    /** While slave-c is cut off the master is killed and restarted, a stopped program started, another installed. */
    @Test
    void aMasterKilledDuringAPartitionComesBackAndEverythingConverges() throws Exception {
        startSlaveC();
        assertThat(installStarted("steady")).containsEntry("slave-c", "active");
        assertThat(installStarted("paused")).containsEntry("slave-c", "active");
        assertThat(admin.states(admin.json("sdm:stop", "paused"))).containsEntry("slave-c", "stopped");
        long pid = pid("slave-c");
        long healedAt;
        SdmProcess.signal("STOP", pid);
        try {
            Waits.until("slave-c offline", Duration.ofSeconds(15), Duration.ofMillis(50),
                    () -> admin.node("slave-c").get("online").asBoolean(), online -> !online);
            long masterPid = master.pid();
            SdmProcess.signal("KILL", masterPid);
            Waits.until("the master gone", Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
            master = startMaster();
            admin = new AdminSession(data);
            Waits.until("slave-a and slave-b back", Duration.ofSeconds(60), Duration.ofMillis(200),
                    admin::onlineCount, n -> n == 2);
            admin.json("sdm:start", "paused");
            installStarted("late");
        } finally {
            healedAt = System.nanoTime();
            SdmProcess.signal("CONT", pid);
        }
        SharedMachine.explained(work, () -> Waits.until("slave-c converged with the restarted master",
                Duration.ofSeconds(60), Duration.ofMillis(50), () -> onSlaveC("steady", "paused", "late"),
                s -> s.equals(Map.of("steady", "active", "paused", "active", "late", "active"))));
        System.out.println("master killed during a partition: converged "
                + (System.nanoTime() - healedAt) / 1_000_000 + " ms after healing");
        assertThat(maps("slave-c")).contains("liblate.so").contains("libpaused.so");
    }

    @Test
    void heartbeatAndLivenessChangeAtRunTimeThroughConfigAdmin() throws Exception {
        // FileInstall hands a .cfg in the deploy folder to ConfigAdmin, which tells the master
        Path cfg = data.resolve("deploy/sdm.master.cfg");
        try {
            Files.writeString(cfg, "sdm.heartbeat.ms=250\nsdm.liveness.ms=900\n");
            Waits.until("the new timing", Duration.ofSeconds(15), Duration.ofMillis(100),
                    () -> admin.json("sdm:master"),
                    m -> m.get("heartbeatMs").asLong() == 250 && m.get("livenessMs").asLong() == 900);
            SdmProcess.signal("STOP", pid("slave-a"));
            try {
                Waits.until("slave-a offline", Duration.ofSeconds(15), Duration.ofMillis(20),
                        () -> admin.node("slave-a").get("online").asBoolean(), online -> !online);
            } finally {
                SdmProcess.signal("CONT", pid("slave-a"));
            }
            Waits.until("slave-a back", Duration.ofSeconds(15), Duration.ofMillis(50),
                    () -> admin.node("slave-a").get("online").asBoolean(), online -> online);
            Files.writeString(cfg, "sdm.heartbeat.ms=250\nsdm.liveness.ms=100\n");
            Waits.until("a refused pair logged", Duration.ofSeconds(15), Duration.ofMillis(100),
                    () -> Files.readString(data.resolve("log/sdm.0.log")),
                    l -> l.contains("ms refused (heartbeat at least"));
            assertThat(admin.json("sdm:master").get("livenessMs").asLong()).as("a bad pair changes nothing")
                    .isEqualTo(900);
        } finally {
            // the first timing back, for the tests after this one (without the file the master
            // keeps the last timing it took)
            Files.writeString(cfg, firstTiming);
        }
    }
}
