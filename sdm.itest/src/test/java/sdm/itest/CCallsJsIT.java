package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.LocalMachine;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * C calls JavaScript on a real machine ({@code bin/sdm local --slaves 2}): a gcc-built library
 * whose own threads call and post to the program's exports through the table of
 * {@code sdm_set_js}, driven through {@code sdm:call} of its native functions, with the master
 * frozen, the program stopped under its calls, and many threads at once.
 */
class CCallsJsIT {

    /** Jobs of threads of the library's own that call or post, and a report of the last job. */
    static final String SOURCE = TestPrograms.source(CCallsJsIT.class, "ccalls-js.c");

    static final String FUNCTIONS = """
            { "name": "calls", "returns": "int", "params": ["string", "string", "int", "int", "int", "int"] },
            { "name": "gated_calls", "returns": "int", "params": ["string", "string", "string", "int", "int", "int"] },
            { "name": "posts", "returns": "int", "params": ["string", "string", "int", "int", "string"] },
            { "name": "report", "returns": "string", "params": [] },
            { "name": "call_here", "returns": "int", "params": [] }
            """;

    static final String EXPORTS = """
            { "name": "echoInt", "returns": "int", "params": ["int"] },
            { "name": "echoLong", "returns": "long", "params": ["long"] },
            { "name": "echoDouble", "returns": "double", "params": ["double"] },
            { "name": "negate", "returns": "bool", "params": ["bool"] },
            { "name": "greet", "returns": "string", "params": ["string"] },
            { "name": "nothing", "returns": "void", "params": [] },
            { "name": "whoami", "returns": "string", "params": [] },
            { "name": "boom", "returns": "int", "params": [] },
            { "name": "never", "returns": "int", "params": [] },
            { "name": "later", "returns": "int", "params": ["int"] },
            { "name": "wrongType", "returns": "int", "params": [] },
            { "name": "count", "returns": "void", "params": ["string", "int"] },
            { "name": "tally", "returns": "string", "params": ["string"] },
            { "name": "absent", "returns": "int", "params": [] }
            """;

    static final String SCRIPT = """
            sdm.export('echoInt', (x) => x);
            sdm.export('echoLong', (x) => x);
            sdm.export('echoDouble', (x) => x * 2);
            sdm.export('negate', (b) => !b);
            sdm.export('greet', (s) => 'hello, ' + s);
            sdm.export('nothing', () => 'ignored');
            sdm.export('whoami', ({ node }) => node);
            sdm.export('boom', () => { throw new TypeError('boom'); });
            sdm.export('never', () => new Promise(() => {}));
            sdm.export('later', async (x) => { await new Promise((r) => sdm.after(50, r)); return x + 1; });
            sdm.export('wrongType', () => 'not an int');
            const seen = {};
            sdm.export('count', (tag, n) => {
              const s = seen[tag] ?? (seen[tag] = { distinct: new Set(), total: 0 });
              s.distinct.add(n);
              s.total++;
            });
            sdm.export('tally', (tag) => {
              const s = seen[tag];
              return s ? s.distinct.size + '/' + s.total : '0/0';
            });
            let undeclared = 'none';
            try { sdm.export('undeclared', () => 1); } catch (e) { undeclared = e.name; }
            console.log('bridge: exporting undeclared threw ' + undeclared);
            """;

    @TempDir
    static Path work;
    private static LocalMachine machine;
    private static SdmProcess local;
    private static AdminSession admin;

    @BeforeAll
    static void startMachine() throws Exception {
        machine = LocalMachine.start(work, 2, List.of(), Map.of());
        local = machine.process();
        admin = machine.admin();
        Path archive = TestPrograms.packWithExports(work, "bridge", SOURCE, FUNCTIONS, EXPORTS, SCRIPT);
        assertThat(admin.json("sdm:install", "--start", archive.toString()).get("atDesired").asInt()).isEqualTo(2);
    }

    @AfterAll
    static void stopMachine() {
        if (machine != null) {
            machine.close();
        }
    }

    @BeforeEach
    void bridgeActive() throws Exception {
        SharedMachine.online(admin, 2);
        Map<String, String> active = Map.of("master", "active", "slave-1", "active", "slave-2", "active");
        if (!admin.states(admin.app("bridge")).equals(active)) {
            admin.json("sdm:start", "bridge");
        }
        Waits.until("bridge active everywhere", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.app("bridge"), app -> admin.states(app).equals(active));
    }

    private static String nodeId(String name) throws Exception {
        return admin.node(name).get("id").asText();
    }

    /** A native function of bridge on slave-1, through sdm:call. */
    private static JsonNode onSlave1(String function, Object... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sdm:call", "--node", nodeId("slave-1"), "bridge", function));
        for (Object a : args) {
            command.add(String.valueOf(a));
        }
        return admin.json(command.toArray(String[]::new)).get(nodeId("slave-1"));
    }

    /** Runs {@code times} calls of {@code function} on each of {@code threads} threads of slave-1's library. */
    private static String calls(String function, String args, int timeoutMs, int threads, int times) throws Exception {
        onSlave1("calls", function, args, timeoutMs, threads, times, 512);
        return finished(Duration.ofMillis(timeoutMs * (long) times + 20_000));
    }

    private static String finished(Duration within) throws Exception {
        return Waits.until("the library's job done", within, Duration.ofMillis(100),
                () -> onSlave1("report").asText(), r -> r.startsWith("done"));
    }

    @Test
    void everyTypeGoesBothWays() throws Exception {
        assertThat(calls("echoInt", "[-2147483648]", 5_000, 1, 1)).contains("ok=1 failed=0 rc=0")
                .endsWith("out=-2147483648");
        assertThat(calls("echoLong", "[9007199254740991]", 5_000, 1, 1)).endsWith("out=9007199254740991");
        assertThat(calls("echoDouble", "[1.25]", 5_000, 1, 1)).endsWith("out=2.5");
        assertThat(calls("negate", "[false]", 5_000, 1, 1)).endsWith("out=true");
        assertThat(calls("greet", "[\"wörld\"]", 5_000, 1, 1)).endsWith("out=\"hello, wörld\"");
        assertThat(calls("nothing", "[]", 5_000, 1, 1)).contains("rc=0").endsWith("out=null");
        assertThat(calls("whoami", "[]", 5_000, 1, 1)).endsWith("out=\"" + nodeId("slave-1") + "\"");
        assertThat(calls("later", "[41]", 5_000, 1, 1)).as("an async export").endsWith("out=42");
    }

    @Test
    void everyWrongCallGetsItsOwnCodeAndReason() throws Exception {
        assertThat(calls("undeclared", "[]", 5_000, 1, 1)).contains("rc=-3 ");
        assertThat(calls("absent", "[]", 5_000, 1, 1)).as("declared, never exported").contains("rc=-5 ")
                .contains("sdm.export");
        assertThat(calls("echoInt", "[1, 2]", 5_000, 1, 1)).contains("rc=-4 ").contains("takes 1 argument, got 2");
        assertThat(calls("echoInt", "[\"one\"]", 5_000, 1, 1)).contains("rc=-4 ");
        assertThat(calls("echoInt", "not json", 5_000, 1, 1)).contains("rc=-4 ");
        assertThat(calls("boom", "[]", 5_000, 1, 1)).contains("rc=-6 ").contains("boom");
        assertThat(calls("wrongType", "[]", 5_000, 1, 1)).contains("rc=-6 ");
        String never = calls("never", "[]", 1_000, 1, 1);
        assertThat(never).contains("rc=-2 ");
        assertThat(maxMs(never)).as("timed out at its timeout").isBetween(900, 5_000);
        assertThat(onSlave1("call_here").asInt()).as("on SDM's own thread").isEqualTo(-9);
        assertThat(admin.log("bridge")).contains("exporting undeclared threw TypeError");
        assertThat(admin.log("bridge")).as("a failing export is logged").contains("boom");
    }

    private static int maxMs(String report) {
        String m = report.substring(report.indexOf("max=") + 4);
        return Integer.parseInt(m.substring(0, m.indexOf(' ')));
    }

    @Test
    void manyThreadsCallAtOnce() throws Exception {
        String r = calls("echoInt", "[7]", 10_000, 16, 200);
        assertThat(r).startsWith("done ok=3200 failed=0 rc=0").endsWith("out=7");
        Map<String, Long> counters = counters();
        assertThat(counters.getOrDefault("node.slave-1.js.bridge.callsAnswered", 0L)).isGreaterThanOrEqualTo(3200);
    }

    /** Freezes the master for {@code seconds}, then opens {@code gate} for the library's job. */
    private static void frozen(Path gate, int seconds) throws Exception {
        SdmProcess.signal("STOP", local.pid());
        long frozenAt = System.nanoTime();
        try {
            Files.writeString(gate, "go");
            Waits.until(seconds + " s of freeze", Duration.ofSeconds(seconds + 5), Duration.ofMillis(100),
                    () -> System.nanoTime() - frozenAt, t -> t > Duration.ofSeconds(seconds).toNanos());
        } finally {
            SdmProcess.signal("CONT", local.pid());
        }
    }

    @Test
    void aCallWhileTheMasterIsFrozenReturnsByItsTimeoutAndTheSlaveGoesOn() throws Exception {
        Path gate = work.resolve("gate-" + System.nanoTime());
        onSlave1("gated_calls", gate, "echoInt", "[1]", 2_000, 4, 2);
        frozen(gate, 5);
        String r = finished(Duration.ofSeconds(30));
        assertThat(maxMs(r)).as("no call outlived its timeout by much").isLessThan(3_000);
        SharedMachine.online(admin, 2);
        assertThat(calls("echoInt", "[5]", 5_000, 1, 1)).endsWith("out=5");
    }

    @Test
    void postsWhileTheMasterIsFrozenExpireOrArriveOnceEach() throws Exception {
        // made while the master is frozen: 200 that live 1 s, then 200 that live a minute
        Path shortGate = work.resolve("gate-" + System.nanoTime());
        onSlave1("posts", "count", "[\"short\", %d]", 1_000, 200, shortGate);
        frozen(shortGate, 5);
        assertThat(finished(Duration.ofSeconds(30))).contains("ok=200 failed=0");
        Path longGate = work.resolve("gate-" + System.nanoTime());
        onSlave1("posts", "count", "[\"long\", %d]", 60_000, 200, longGate);
        frozen(longGate, 5);
        assertThat(finished(Duration.ofSeconds(30))).contains("ok=200 failed=0");
        Waits.until("the long-lived posts delivered", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> tally("long"), t -> t.equals("200/200"));
        assertThat(tally("short")).as("none of the short-lived arrived late; counters " + counters()).isEqualTo("0/0");
        Map<String, Long> c = counters();
        assertThat(c.getOrDefault("node.slave-1.js.bridge.postsExpired", 0L)
                + c.getOrDefault("node.slave-1.js.bridge.postsExpiredAtMaster", 0L)).as("expired, counted").isEqualTo(200);
    }

    private static String tally(String tag) throws Exception {
        onSlave1("calls", "tally", "[\"" + tag + "\"]", 5_000, 1, 1, 512);
        String r = finished(Duration.ofSeconds(20));
        return r.substring(r.indexOf("out=") + 5, r.length() - 1);
    }

    @Test
    void stoppingTheProgramUnderItsCallsAndPostsLeavesNoTrace() throws Exception {
        long pid = slavePid("slave-1");
        onSlave1("calls", "never", "[]", 60_000, 8, 1, 512);
        onSlave1("report"); // the threads are inside call by now, or about to be
        Waits.until("8 calls waiting on the master", Duration.ofSeconds(20), Duration.ofMillis(100),
                () -> counters().getOrDefault("node.slave-1.js.bridge.callsMade", 0L), n -> n >= 8);
        long stopAt = System.nanoTime();
        admin.json("sdm:stop", "bridge");
        Waits.until("bridge stopped on slave-1", Duration.ofSeconds(20), Duration.ofMillis(100),
                () -> admin.states(admin.app("bridge")).get("slave-1"), "stopped"::equals);
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).as("the stop did not wait for the calls' timeout")
                .isLessThan(Duration.ofSeconds(15));
        assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).doesNotContain("libbridge.so");
        assertThat(slavePid("slave-1")).isEqualTo(pid);
        admin.json("sdm:start", "bridge");
        bridgeActive();
        // posts of a program stopped while they flow: the node goes on, and so does the program once started
        onSlave1("posts", "count", "[\"flow\", %d]", 60_000, 20_000, "none");
        admin.json("sdm:stop", "bridge");
        Waits.until("bridge stopped on slave-1", Duration.ofSeconds(20), Duration.ofMillis(100),
                () -> admin.states(admin.app("bridge")).get("slave-1"), "stopped"::equals);
        assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).doesNotContain("libbridge.so");
        admin.json("sdm:start", "bridge");
        bridgeActive();
        assertThat(calls("echoInt", "[3]", 5_000, 1, 1)).endsWith("out=3");
        assertThat(slavePid("slave-1")).isEqualTo(pid);
    }

    @Test
    void theSensorsExampleRunsEndToEnd() throws Exception {
        Path dir = work.resolve("sensors");
        Path src = SdmProcess.PROJECT.resolve("examples/sensors");
        for (String f : List.of("MANIFEST.json", "Makefile", "js/main.js", "native/sensors.c")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        // as the walk-through has it: make builds the library against sdm.h and packs the archive
        Process make = new ProcessBuilder("make", "-C", dir.toString(), "archive", "SDM=" + SdmProcess.SDM)
                .redirectErrorStream(true).start();
        String said = new String(make.getInputStream().readAllBytes());
        assertThat(make.waitFor()).as(said).isZero();
        admin.json("sdm:install", "--start", dir.resolve("sensors-1.0.0.jam.zip").toString());
        try {
            String log = Waits.until("readings from both slaves, and the threshold raised on both",
                    Duration.ofSeconds(60), Duration.ofMillis(500),
                    () -> admin.reply("sdm:log", "--lines", "1000", "sensors").output(),
                    l -> l.contains("from 2 sensors") && l.contains("on 2 slaves"));
            assertThat(log.lines().filter(l -> l.contains("calibration offset")).count()).as(log).isEqualTo(2);
        } finally {
            admin.json("sdm:uninstall", "sensors");
        }
    }

    private static long slavePid(String name) throws Exception {
        return machine.pidOf(name);
    }

    private static Map<String, Long> counters() throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>();
        admin.json("sdm:master").get("counters").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }
}
