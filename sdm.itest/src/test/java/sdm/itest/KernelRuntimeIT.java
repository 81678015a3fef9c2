package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.archive.ArchiveException;
import sdm.transport.zmq.Message;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * The kernel's runtime on a real master with a real slave: JavaScript compiled by the optimizing
 * runtime, each program held to its memory limit while the rest of the machine goes on, ES
 * modules confined to the program's own {@code js/} files, and a call's time to live. Each test
 * starts with the slave online and no program but the counter, and installs its own.
 */
class KernelRuntimeIT {

    /** A C counter: what the slave has run, whatever the caller saw. */
    private static final String COUNTER = """
            static int calls;
            int bump(int by) { calls += by; return calls; }
            int count(void) { return calls; }
            """;
    private static final String COUNTER_FUNCTIONS = """
            { "name": "bump", "returns": "int", "params": ["int"] },
            { "name": "count", "returns": "int", "params": [] }
            """;
    private static final String OVER_LIMIT = "used more than 64 MiB";

    @TempDir
    static Path work;

    private static final List<SdmProcess> processes = new ArrayList<>();
    private static AdminSession admin;
    private static String slaveId;

    @BeforeAll
    static void startMachine() throws Exception {
        int port = Ports.free();
        Path data = work.resolve("master");
        // a long liveness timeout: a slave frozen for a few seconds stays online (see the TTL test);
        // the launcher's --liveness, which a system property cannot override
        processes.add(SdmProcess.start(work, Map.of(), "master", "--no-console", "--bind", "127.0.0.1:" + port,
                "--data", "master", "--liveness", "10000"));
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(data.resolve(NodeFiles.MASTER_ENDPOINT)) && Files.exists(data.resolve(NodeFiles.ADMIN_KEY)),
                done -> done);
        admin = new AdminSession(data);
        String token = SdmProcess.joinToken(data);
        processes.add(SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP), port, token,
                "slave-a"));
        Waits.until("the slave online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 1);
        slaveId = admin.node("slave-a").get("id").asText();
        Path counter = TestPrograms.packNativeWithScript(work, "counter", COUNTER, COUNTER_FUNCTIONS, "");
        assertThat(admin.states(admin.json("sdm:install", "--start", counter.toString())))
                .containsEntry("slave-a", "active");
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (SdmProcess p : processes) {
            p.close();
        }
    }

    @BeforeEach
    void slaveOnlineAndOnlyTheCounter() throws Exception {
        SharedMachine.online(admin, 1);
        SharedMachine.uninstallAllBut(admin, Set.of("counter"));
    }

    private static JsonNode onMaster(String name) throws Exception {
        return admin.app(name).get("master");
    }

    private static int count() throws Exception {
        return admin.json("sdm:call", "counter", "count").get(slaveId).asInt();
    }

    @Test
    void javaScriptRunsOnTheOptimizingRuntime() throws Exception {
        JsonNode js = admin.json("sdm:master").get("javascript");
        assertThat(js).as("sdm:master --json has no javascript").isNotNull();
        assertThat(js.get("engine").asText()).contains("GraalVM");
        assertThat(js.get("optimizing").asBoolean()).as("the kernel runs %s", js.get("engine").asText()).isTrue();
    }

    @Test
    void eachMemoryBombFailsWhileTheRestOfTheMachineGoesOn() throws Exception {
        long expiredBefore = admin.counter("nodesDroppedExpired");
        admin.installScript(work, "steady", """
                let ticks = 0, garbage;
                sdm.every(20, () => {
                  ticks++;
                  garbage = [];
                  for (let i = 0; i < 2000; i++) garbage.push({i, s: 'g' + i});
                  if (ticks % 10 === 0) console.log('steady tick ' + ticks);
                });
                """);
        Waits.until("steady ticking", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.log("steady"),
                l -> l.contains("steady tick 10"));
        Map<String, String> bombs = new LinkedHashMap<>();
        bombs.put("bomb-objects", """
                const kept = [];
                sdm.every(10, () => { for (let i = 0; i < 20000; i++) kept.push({i, s: 'x' + i}); });
                """);
        bombs.put("bomb-strings", """
                let s = 'ab';
                const kept = [];
                sdm.every(10, () => { s = s + s; kept.push(s.indexOf('z')); });
                """);
        bombs.put("bomb-buffers", """
                const kept = [];
                sdm.every(10, () => kept.push(new ArrayBuffer(8 << 20)));
                """);
        bombs.put("bomb-map", """
                const m = new Map();
                let n = 0;
                sdm.every(10, () => { for (let i = 0; i < 5000; i++) { n++; m.set('k' + n, [n, n + 1]); } });
                """);
        bombs.put("bomb-one-turn", """
                globalThis.big = new ArrayBuffer(256 << 20);
                sdm.every(100, () => console.log('still here with ' + big.byteLength));
                """);
        for (Map.Entry<String, String> bomb : bombs.entrySet()) {
            admin.installScript(work, bomb.getKey(), bomb.getValue());
            JsonNode state = Waits.until(bomb.getKey() + " failed", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> onMaster(bomb.getKey()), s -> "failed".equals(s.get("state").asText()));
            assertThat(state.get("detail").asText()).as(bomb.getKey()).contains(OVER_LIMIT);
            assertThat(admin.node("slave-a").get("online").asBoolean()).as("the slave after " + bomb.getKey())
                    .isTrue();
            assertThat(count()).as("a slave call after " + bomb.getKey()).isGreaterThanOrEqualTo(0);
        }
        int ticks = ticks(admin.log("steady"));
        Waits.until("steady ticking on", Duration.ofSeconds(20), Duration.ofMillis(100),
                () -> ticks(admin.log("steady")),
                t -> t >= ticks + 20);
        assertThat(onMaster("steady").get("state").asText()).isEqualTo("active");
        assertThat(admin.counter("nodesDroppedExpired")).as("messages of the slave dropped as expired")
                .isEqualTo(expiredBefore);
    }

    private static int ticks(String log) {
        int last = 0;
        for (String line : log.split("\n")) {
            int at = line.indexOf("steady tick ");
            if (at >= 0) {
                last = Integer.parseInt(line.substring(at + "steady tick ".length()).strip());
            }
        }
        return last;
    }

    @Test
    void modulesImportTheirOwnFilesAndNothingElse() throws Exception {
        Path ok = TestPrograms.packModule(work, "modules", Map.of(
                "js/main.mjs", """
                        import { add } from './lib/math.mjs';
                        import * as names from './names.mjs';
                        console.log('sum ' + add(2, 3) + ' from ' + names.who);
                        import('./lib/late.mjs').then(m => console.log('late ' + m.late));
                        """,
                "js/names.mjs", "export const who = 'names';\n",
                "js/lib/math.mjs", "import { who } from '../names.mjs';\n"
                        + "export const add = (a, b) => who === 'names' ? a + b : -1;\n",
                "js/lib/late.mjs", "export const late = 42;\n"));
        assertThat(admin.reply("sdm:install", "--start", ok.toString()).ok()).isTrue();
        Waits.until("the modules' output", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.log("modules"),
                l -> l.contains("sum 5 from names") && l.contains("late 42"));
        assertThat(onMaster("modules").get("state").asText()).isEqualTo("active");

        // imports the archive check sees: the master refuses the archive, naming the import
        Map<String, String> literal = Map.of(
                "escape-parent", "import m from '../MANIFEST.json';\nconsole.log('ESCAPED');\n",
                "escape-absolute", "import('/etc/passwd').then(() => console.log('ESCAPED'));\n",
                "escape-url", "import x from 'https://example.com/x.mjs';\nconsole.log('ESCAPED');\n",
                "escape-builtin", "import fs from 'fs';\nconsole.log('ESCAPED');\n");
        for (Map.Entry<String, String> e : literal.entrySet()) {
            Message.AdminReply r = admin.reply("sdm:install", "--start", writeUnchecked(e.getKey(), e.getValue())
                    .toString());
            assertThat(r.ok()).as(e.getKey()).isFalse();
            assertThat(r.error()).as(e.getKey()).contains("js/main.mjs imports '");
        }
        // imports computed as the program runs: the runtime refuses them and fails the program
        Map<String, String> computed = Map.of(
                "computed-parent", "import(['..', 'MANIFEST.json'].join('/')).then(() => console.log('ESCAPED'));\n",
                "computed-absolute", "import(['', 'etc', 'passwd'].join('/')).then(() => console.log('ESCAPED'));\n",
                "computed-file-url", "import('file://' + '/etc/passwd').then(() => console.log('ESCAPED'));\n",
                "computed-url", "import('https:' + '//example.com/x.mjs').then(() => console.log('ESCAPED'));\n");
        for (Map.Entry<String, String> e : computed.entrySet()) {
            Path archive = TestPrograms.packModule(work, e.getKey(), Map.of("js/main.mjs", e.getValue()));
            assertThat(admin.reply("sdm:install", "--start", archive.toString()).ok()).as(e.getKey()).isTrue();
            JsonNode state = Waits.until(e.getKey() + " failed", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> onMaster(e.getKey()), st -> "failed".equals(st.get("state").asText()));
            assertThat(state.get("detail").asText()).as(e.getKey())
                    .contains("refused: a program imports only its own files under js/");
            assertThat(admin.log(e.getKey())).doesNotContain("ESCAPED");
        }

        assertThatThrownBy(() -> TestPrograms.packModule(work, "missing", Map.of(
                "js/main.mjs", "import { x } from './nowhere.mjs';\n")))
                .isInstanceOf(ArchiveException.class).hasMessageContaining("nowhere.mjs");
    }

    /** An archive made by hand, around {@code bin/sdm pack}'s checks: the master must check it itself. */
    private static Path writeUnchecked(String name, String main) throws Exception {
        Path archive = work.resolve(name + ".jam.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(archive))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("MANIFEST.json"));
            zip.write(("{ \"name\": \"" + name + "\", \"version\": \"1.0.0\","
                    + " \"master\": { \"main\": \"js/main.mjs\" } }")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("js/main.mjs"));
            zip.write(main.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return archive;
    }

    /**
     * Two programs with the same counter each make one call to the slave once it has been silent
     * (frozen) for over a second, one with a short time to live and one without; the slave is let
     * go a second after both calls were sent. The liveness timeout is long enough that the slave
     * stays online throughout, so both calls reach it. The slave counts the call it dropped, and
     * tells the master, before the test ends: the count is settled for the next test.
     */
    @Test
    void aCallPastItsTimeToLiveNeverRuns() throws Exception {
        long droppedBefore = admin.counter("node.slave-a.droppedExpired");
        String caller = """
                const id = '%s';
                let sent = false;
                const poll = sdm.every(20, () => {
                  const n = sdm.nodes().find(x => x.id === id);
                  if (sent || !n || !n.online || Date.now() - n.lastSeenMs < 1200) return;
                  sent = true;
                  sdm.cancel(poll);
                  console.log('sent');
                  sdm.call('bump', [1], {nodes: [id], timeoutMs: 5000%s})
                    .then(r => console.log('answered ' + JSON.stringify(r)), e => console.log('answered ' + e));
                });
                """;
        for (String name : List.of("ttl-short", "ttl-none")) {
            Path archive = TestPrograms.packNativeWithScript(work, name, COUNTER, COUNTER_FUNCTIONS,
                    caller.formatted(slaveId, name.equals("ttl-short") ? ", ttlMs: 300" : ""));
            assertThat(admin.states(admin.json("sdm:install", "--start", archive.toString())))
                    .containsEntry("slave-a", "active");
        }
        long pid = Long.parseLong(Files.readString(work.resolve("slave-a/sdm.pid")).strip());
        SdmProcess.signal("STOP", pid);
        try {
            Waits.until("both calls sent", Duration.ofSeconds(30), Duration.ofMillis(50),
                    () -> admin.log("ttl-short") + admin.log("ttl-none"), l -> l.split("sent", -1).length == 3);
            Thread.sleep(1_000); // the calls' age when the slave reads them: the condition under test
        } finally {
            SdmProcess.signal("CONT", pid);
        }
        Waits.until("both callers answered", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> admin.log("ttl-short") + admin.log("ttl-none"), l -> l.split("answered", -1).length == 3);
        assertThat(admin.log("ttl-none")).contains("\"" + slaveId + "\":1");
        assertThat(admin.log("ttl-short")).contains("no answer").doesNotContainPattern("\"" + slaveId + "\":\\d");
        assertThat(admin.json("sdm:call", "ttl-none", "count").get(slaveId).asInt()).isEqualTo(1);
        assertThat(admin.json("sdm:call", "ttl-short", "count").get(slaveId).asInt())
                .as("calls the slave ran past their time to live").isZero();
        Waits.until("the slave's count of calls dropped as expired, at the master", Duration.ofSeconds(15),
                Duration.ofMillis(200), () -> admin.counter("node.slave-a.droppedExpired"), n -> n > droppedBefore);
    }
}
