package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.Message;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * The kernel's sandbox on a real master: a corpus of scripts that try to get out (host access,
 * files, other programs' data and functions, privileges) or to take the master down (endless
 * loops, floods, huge values). Each is refused or stopped with the expected state and message,
 * and a healthy program keeps running through all of it.
 * {@link #aHealthyProgramAndAKeeperOfSecretsRun}, {@link #eachEscapeIsRefusedOrStopped} and
 * {@link #aDeniedCallIsInTheAuditLogAndTheOtherProgramsServedThroughout} are one story, in that
 * order: the programs the first starts are what the corpus attacks and what the third finds still
 * served, with the denials the corpus left in the audit log. The other tests use programs of
 * their own and run after the story.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelSandboxIT {

    /** Small limits, so that breaking one is quick. */
    private static final Map<String, String> LIMITS = Map.of("SDM_JAVA_OPTS",
            "-Dsdm.js.turn.ms=300 -Dsdm.js.timers=50 -Dsdm.js.log.lines=100");

    @TempDir
    static Path work;

    private static SdmProcess master;
    private static AdminSession admin;
    private static Path data;

    @BeforeAll
    static void startMaster() throws Exception {
        int port = Ports.free();
        data = work.resolve("master");
        master = SdmProcess.start(work, LIMITS, "master", "--no-console", "--bind", "127.0.0.1:" + port, "--data",
                "master");
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(data.resolve(NodeFiles.MASTER_ENDPOINT)), done -> done);
        admin = new AdminSession(data);
        Waits.until("the master ready", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> admin.reply("sdm:apps").ok(), ok -> ok);
    }

    @AfterAll
    static void stopMaster() throws Exception {
        if (master != null) {
            master.close();
        }
    }

    private static JsonNode masterState(String name) throws Exception {
        return admin.app(name).get("master");
    }

    @Test
    @Order(1)
    void aHealthyProgramAndAKeeperOfSecretsRun() throws Exception {
        admin.installScript(work, "healthy", """
                let ticks = 0;
                sdm.every(100, () => { ticks++; if (ticks % 5 === 0) console.log('healthy tick ' + ticks); });
                """);
        admin.installScript(work, "keeper",
                "sdm.store.set('secret', 'hunter2'); console.log('kept ' + sdm.store.get('secret'));");
        Waits.until("healthy ticking", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.log("healthy"),
                l -> l.contains("healthy tick 5"));
        assertThat(admin.log("keeper")).contains("kept hunter2");
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                failed("java-type", "Java.type('java.lang.System').exit(1);", "ReferenceError: Java is not defined"),
                failed("polyglot-eval", "Polyglot.eval('js', '1');", "ReferenceError: Polyglot is not defined"),
                failed("load-file", "load('/etc/passwd');", "ReferenceError: load is not defined"),
                failed("graal-builtin", "console.log(Graal.versionJS);", "ReferenceError: Graal is not defined"),
                runs("dynamic-import", "import('/etc/passwd').then(() => console.log('ESCAPED'),"
                        + " e => console.log('import refused: ' + e.name));", "import refused: "),
                runs("global-this", "const g = constructor.constructor('return this')();"
                        + " console.log('global: ' + [typeof g.Java, typeof g.Polyglot, typeof g.__sdm_host,"
                        + " typeof g.load].join(','));", "global: undefined,undefined,undefined,undefined"),
                runs("host-prototype", "const F = Object.getPrototypeOf(sdm.call).constructor;"
                        + " const g = F('return this')();"
                        + " console.log('via sdm.call: ' + typeof g.Java + ' ' + typeof g.__sdm_host"
                        + " + ' ' + Object.getOwnPropertyNames(sdm).filter(n => typeof sdm[n] === 'object').join('|'));",
                        "via sdm.call: undefined undefined store|programs"),
                runs("frozen-sdm", "sdm.call = () => 'mine';"
                        + " try { Object.defineProperty(sdm, 'x', {value: 1}); console.log('ESCAPED'); }"
                        + " catch (e) { console.log('frozen: ' + e.name + ' ' + (sdm.call() === 'mine')); }",
                        "frozen: TypeError false"),
                runs("host-errors", "try { sdm.store.set('', 1); console.log('ESCAPED'); }"
                        + " catch (e) { console.log('host error: ' + e.name + ' ' + typeof e.getClass + ' '"
                        + " + (e instanceof Error)); }"
                        + " sdm.call('x', [], {timeoutMs: -5}).catch(e => console.log('async host error: ' + e.name"
                        + " + ' ' + typeof e.getClass));", "host error: RangeError undefined true"),
                runs("host-errors-async", "sdm.call('x', [], {timeoutMs: -5}).then(() => console.log('ESCAPED'),"
                        + " e => console.log('async host error: ' + e.name + ' ' + typeof e.getClass));",
                        "async host error: RangeError undefined"),
                runs("host-binding", "console.log('host binding: ' + typeof __sdm_host + ' ['"
                        + " + Object.getOwnPropertyNames(globalThis).filter(n => /java|polyglot|graal|host|^load|^print|quit/i"
                        + ".test(n)).join('|') + ']');", "host binding: undefined []"),
                runs("eval-inside", "console.log('eval: ' + eval('typeof Java') + ' ' + new Function('return typeof load')());",
                        "eval: undefined undefined"),
                runs("other-store", "console.log('other store: ' + sdm.store.get('secret') + ' '"
                        + " + sdm.store.get('../keeper/store.json') + ' ' + sdm.store.keys().length);",
                        "other store: undefined undefined 0"),
                runs("other-functions", "sdm.call('add', [1, 2]).then(r => console.log('ESCAPED ' + JSON.stringify(r)),"
                        + " e => console.log('call refused: ' + e.message));",
                        "call refused: program other-functions has no native functions"),
                runs("privilege-denied", "sdm.programs.stop('keeper').then(() => console.log('ESCAPED'),"
                        + " e => console.log('denied: ' + e.name + ': ' + e.message));",
                        "denied: PrivilegeError: programs.stop('keeper') needs privilege programs.control"),
                runs("store-bounds", "try { sdm.store.set('big', 'x'.repeat(70000)); console.log('ESCAPED'); }"
                        + " catch (e) { console.log('store bound: ' + e.name); }", "store bound: RangeError"),
                failed("huge-string", "let s = 'x'; for (;;) { s += s; }", "Invalid string length"),
                // the 16 MiB stack runs out in about the turn's budget of a cold script: under load the
                // watchdog may stop it first; either way the program ends and the master goes on
                failed("deep-recursion", "function down(n) { return down(n + 1) + 1; }\ndown(0);",
                        "RangeError: Maximum call stack size exceeded|ran past its CPU budget of 300 ms"),
                failed("endless-loop", "while (true) {}", "ran past its CPU budget of 300 ms"),
                failed("endless-timer", "sdm.after(10, () => { for (;;) {} });", "ran past its CPU budget of 300 ms"),
                failed("endless-microtask", "(async () => { await null; while (true) {} })();",
                        "ran past its CPU budget of 300 ms"),
                failed("promise-flood", "function again() { return Promise.resolve().then(again); }\nagain();",
                        "ran past its CPU budget of 300 ms"),
                failed("timer-flood", "for (;;) { sdm.after(60000, () => {}); }", "set more than 50 timers at once"),
                failed("timer-flood-caught", "for (;;) { try { sdm.every(10, () => {}); } catch (e) { } }",
                        "set more than 50 timers at once"),
                failed("audit-flood", "for (;;) { sdm.programs.stop('keeper').catch(() => {}); }",
                        "logged more than 100 lines in 10 s"),
                failed("log-flood", "for (;;) { console.log('spam'); }", "logged more than 100 lines in 10 s"),
                failed("top-level-throw", "const a = 1;\nthrow new Error('boom');", "Error: boom (js/main.js:2)"));
    }

    private static Arguments failed(String name, String script, String reason) {
        return Arguments.of(name, script, "failed", reason);
    }

    private static Arguments runs(String name, String script, String logged) {
        return Arguments.of(name, script, "active", logged);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Order(2)
    void eachEscapeIsRefusedOrStopped(String name, String script, String state, String expected) throws Exception {
        admin.installScript(work, name, script);
        if (state.equals("failed")) {
            JsonNode m = Waits.until(name + " failed", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> masterState(name), s -> s.get("state").asText().equals("failed"));
            String detail = m.get("detail").asText();
            assertThat(expected.split("\\|")).as("the reason " + detail).anySatisfy(e -> assertThat(detail).contains(e));
            assertThat(admin.log(name)).contains("failed: ").doesNotContain("ESCAPED");
        } else {
            Waits.until(name + " logs '" + expected + "'", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> admin.log(name), l -> l.contains(expected));
            assertThat(admin.log(name)).doesNotContain("ESCAPED");
            assertThat(masterState(name).get("state").asText()).isEqualTo("active");
        }
        admin.json("sdm:uninstall", "--json", name);
    }

    @Test
    @Order(3)
    void aDeniedCallIsInTheAuditLogAndTheOtherProgramsServedThroughout() throws Exception {
        assertThat(Files.readString(data.resolve("log/audit.log")))
                .contains("privilege-denied denied programs.stop('keeper'): needs privilege programs.control");
        assertThat(admin.log("privilege-denied")).contains("audit: denied programs.stop('keeper')");
        assertThat(masterState("healthy").get("state").asText()).isEqualTo("active");
        assertThat(masterState("keeper").get("state").asText()).isEqualTo("active");
        String before = admin.log("healthy");
        Waits.until("healthy still ticking", Duration.ofSeconds(10), Duration.ofMillis(100), () -> admin.log("healthy"),
                l -> l.length() > before.length());
        assertThat(admin.log("keeper")).contains("kept hunter2");
    }

    @Test
    void privilegesMustBeGrantedAtInstallAndThenControlWorks() throws Exception {
        admin.installScript(work, "puppet", "sdm.every(100, () => {});");
        Waits.until("puppet active", Duration.ofSeconds(30), Duration.ofMillis(100), () -> masterState("puppet"),
                st -> st.get("state").asText().equals("active"));
        String script = """
                sdm.programs.stop('puppet').then(r => console.log('control: ' + r),
                    e => console.log('control failed: ' + e.name + ' ' + e.message));
                """;
        Path archive = TestPrograms.packScript(work, "controller", script, List.of("programs.control"));
        Message.AdminReply refused = admin.reply("sdm:install", "--start", archive.toString());
        assertThat(refused.ok()).isFalse();
        assertThat(refused.error()).contains("programs.control").contains("--grant");
        assertThat(admin.app("controller")).isNull();

        admin.installScript(work, "controller", script, "programs.control");
        Waits.until("controller stopped puppet", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> admin.log("controller"), l -> l.contains("control: puppet 1.0.0: desired stopped"));
        assertThat(masterState("puppet").get("state").asText()).isEqualTo("stopped");
    }

    @Test
    void aFailedProgramRunsAfreshOnSdmStart() throws Exception {
        admin.installScript(work, "phoenix", """
                const n = (sdm.store.get('n') ?? 0) + 1;
                sdm.store.set('n', n);
                console.log('phoenix run ' + n);
                if (n === 1) throw new Error('the first run fails');
                """);
        Waits.until("phoenix failed", Duration.ofSeconds(30), Duration.ofMillis(100), () -> masterState("phoenix"),
                s -> s.get("state").asText().equals("failed"));
        assertThat(masterState("phoenix").get("detail").asText()).contains("the first run fails");
        JsonNode started = admin.json("sdm:start", "phoenix");
        Waits.until("phoenix run 2", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.log("phoenix"),
                l -> l.contains("phoenix run 2"));
        assertThat(masterState("phoenix").get("state").asText()).as("after %s", started).isEqualTo("active");
    }

    @Test
    void uninstallDeletesTheProgramsStore() throws Exception {
        admin.installScript(work, "hoarder",
                "sdm.store.set('secret', 'hunter2'); console.log('kept ' + sdm.store.get('secret'));");
        Waits.until("hoarder keeping its secret", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> admin.log("hoarder"), l -> l.contains("kept hunter2"));
        Path store = data.resolve("programs/private/hoarder/store.json");
        assertThat(store).exists();
        admin.json("sdm:uninstall", "--json", "hoarder");
        assertThat(store).doesNotExist();
        admin.installScript(work, "hoarder", "console.log('fresh ' + sdm.store.get('secret'));");
        Waits.until("a fresh hoarder", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.log("hoarder"),
                l -> l.contains("fresh undefined"));
    }
}
