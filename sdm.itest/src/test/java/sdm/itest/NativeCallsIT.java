package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.transport.zmq.Message;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * Native functions on real slaves ({@code bin/sdm local --slaves 2}): gcc-built libraries loaded
 * with FFM, called through {@code sdm:call}, unloaded on stop, swapped on update, and a
 * segfault that takes a slave down without taking its other programs, or the machine. Each test
 * starts with both slaves online and {@code kit} active on them; one that stops, updates or
 * crashes a program does it to a program of its own.
 */
class NativeCallsIT {

    static final String SOURCE = """
            #include <stdbool.h>
            #include <stdio.h>
            #include <stdatomic.h>
            #include <unistd.h>
            int add(int a, int b) { return a + b; }
            long mul(long a, long b) { return a * b; }
            double half(double x) { return x / 2; }
            double nothing(void) { return 0.0 / 0.0; }
            bool neg(bool b) { return !b; }
            const char *greet(const char *who) {
                static char buffer[256];
                snprintf(buffer, sizeof buffer, "hello, %s", who);
                return buffer;
            }
            static long ticks;
            void tick(void) { ticks++; }
            long ticked(void) { return ticks; }
            int version(void) { return VERSION; }
            int boom(void) { volatile int *p = 0; return *p; }
            int slow(int ms) { usleep(ms * 1000); return ms; }
            /* says it is inside by creating a file, then stays 5 s */
            int hold(const char *path) { FILE *f = fopen(path, "w"); if (f) fclose(f); usleep(5000000); return 1; }
            static atomic_int inside;
            /* 1 if another call was in here at the same time within 5 s */
            int together(void) {
                atomic_fetch_add(&inside, 1);
                for (int i = 0; i < 5000; i++) {
                    if (atomic_load(&inside) >= 2) { usleep(20000); return 1; }
                    usleep(1000);
                }
                return 0;
            }
            """;

    static final String FUNCTIONS = """
            { "name": "add", "returns": "int", "params": ["int", "int"] },
            { "name": "mul", "returns": "long", "params": ["long", "long"] },
            { "name": "half", "returns": "double", "params": ["double"] },
            { "name": "nothing", "returns": "double", "params": [] },
            { "name": "neg", "returns": "bool", "params": ["bool"] },
            { "name": "greet", "returns": "string", "params": ["string"] },
            { "name": "tick", "returns": "void", "params": [] },
            { "name": "ticked", "returns": "long", "params": [] },
            { "name": "version", "returns": "int", "params": [] },
            { "name": "boom", "returns": "int", "params": [] },
            { "name": "slow", "returns": "int", "params": ["int"] },
            { "name": "together", "returns": "int", "params": [] },
            { "name": "hold", "returns": "int", "params": ["string"] }
            """;

    @TempDir
    static Path work;

    private static SdmProcess local;
    private static Path root;
    private static AdminSession admin;

    @BeforeAll
    static void startMachine() throws Exception {
        int port = Ports.free();
        root = work.resolve("sdm-data");
        local = SdmProcess.start(work, Map.of(), "local", "--no-console", "--slaves", "2", "--bind",
                "127.0.0.1:" + port);
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(root.resolve("master/master.endpoint")), done -> done);
        admin = new AdminSession(root.resolve("master"));
        Waits.until("2 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 2);
        Path v1 = TestPrograms.packNative(work, "kit", "1.0.0", SOURCE, FUNCTIONS);
        assertThat(admin.json("sdm:install", "--start", v1.toString()).get("atDesired").asInt()).isEqualTo(2);
    }

    @AfterAll
    static void stopMachine() throws Exception {
        if (local != null) {
            local.close();
        }
    }

    @BeforeEach
    void kitActiveOnBothSlaves() throws Exception {
        SharedMachine.online(admin, 2);
        SharedMachine.uninstallAllBut(admin, Set.of("kit"));
        Map<String, String> active = Map.of("master", "active", "slave-1", "active", "slave-2", "active");
        if (!admin.states(admin.app("kit")).equals(active)) {
            admin.json("sdm:start", "kit");
        }
        Waits.until("kit active everywhere", Duration.ofSeconds(30), Duration.ofMillis(200), () -> admin.app("kit"),
                kit -> admin.states(kit).equals(active));
    }

    /** Installs and starts a program of {@link #SOURCE} named {@code name}, on both slaves. */
    private static void installOwn(String name, String version) throws Exception {
        Path archive = TestPrograms.packNative(work, name, version, SOURCE, FUNCTIONS);
        assertThat(admin.json("sdm:install", "--start", archive.toString()).get("atDesired").asInt()).isEqualTo(2);
    }

    private static String nodeId(String name) throws Exception {
        return admin.node(name).get("id").asText();
    }

    private static long slavePid(String name) throws Exception {
        return Long.parseLong(Files.readString(root.resolve(name + "/sdm.pid")).strip());
    }

    /** Every node's answer, as {@code sdm:call --json} prints it. */
    private static JsonNode call(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "sdm:call";
        System.arraycopy(args, 0, command, 1, args.length);
        return admin.json(command);
    }

    private static String error(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "sdm:call";
        System.arraycopy(args, 0, command, 1, args.length);
        Message.AdminReply r = admin.reply(command);
        assertThat(r.ok()).as(String.join(" ", args)).isFalse();
        assertThat(r.error()).doesNotContain("\n");
        return r.error();
    }

    private static boolean mapped(long pid, String library) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/maps")).contains(library);
    }

    @Test
    void everyTypeGoesInAndComesBack() throws Exception {
        String one = nodeId("slave-1");
        String two = nodeId("slave-2");
        assertThat(call("kit", "add", "2", "-5").get(one).asInt()).isEqualTo(-3);
        JsonNode mul = call("kit", "mul", "3000000000", "3");
        assertThat(mul.get(one).asLong()).isEqualTo(9_000_000_000L);
        assertThat(mul.get(two).asLong()).isEqualTo(9_000_000_000L);
        assertThat(call("kit", "half", "5").get(one).asDouble()).isEqualTo(2.5);
        assertThat(call("kit", "half", "1e308").get(one).asDouble()).isEqualTo(5e307);
        assertThat(call("kit", "nothing").get(one).asText()).as("NaN comes back as NaN").isEqualTo("NaN");
        assertThat(call("kit", "neg", "true").get(two).asBoolean()).isFalse();
        assertThat(call("kit", "greet", "wörld of slaves").get(one).asText()).isEqualTo("hello, wörld of slaves");
        long ticks = call("kit", "ticked").get(one).asLong();
        JsonNode tick = call("kit", "tick");
        assertThat(tick.get(one).isNull()).isTrue();
        assertThat(call("kit", "ticked").get(one).asLong()).isEqualTo(ticks + 1);
        JsonNode only = call("--node", two, "kit", "add", "1", "1");
        assertThat(only.size()).isEqualTo(1);
        assertThat(only.get(two).asInt()).isEqualTo(2);
    }

    @Test
    void badCallsGetOneLine() throws Exception {
        assertThat(error("nosuch", "add")).isEqualTo("no program named 'nosuch' is installed");
        assertThat(error("kit", "nosuch")).startsWith("program kit has no function 'nosuch'");
        assertThat(error("kit", "add", "1")).isEqualTo("add(int, int) takes 2 arguments, got 1");
        assertThat(error("kit", "add", "1", "2", "3")).isEqualTo("add(int, int) takes 2 arguments, got 3");
        assertThat(error("kit", "add", "one", "2")).isEqualTo("argument 1 of add(int, int): 'one' is not an int");
        assertThat(error("kit", "add", "1", "99999999999")).contains("is not an int");
        assertThat(error("kit", "neg", "maybe")).contains("'maybe' is not a bool");
        assertThat(error("--node", "nosuch", "kit", "add", "1", "2")).contains("node nosuch is not one of");
        assertThat(local.isAlive()).isTrue();
    }

    @Test
    void aFrozenNodeIsReportedAtTheTimeoutOrWhenItGoesOfflineAndTheOthersAnswer() throws Exception {
        long pid = slavePid("slave-2");
        String one = nodeId("slave-1");
        String two = nodeId("slave-2");
        ExecutorService client = Executors.newSingleThreadExecutor();
        SdmProcess.signal("STOP", pid);
        try {
            // made while the node still looks online: it ends when the master sees the node go
            // offline, long before its 30 s timeout
            java.util.concurrent.Future<JsonNode> longer = client.submit(
                    () -> call("--timeout", "30", "--node", two, "kit", "add", "1", "2"));
            // the master sees a frozen node offline 1.5-3.5 s after the freeze: a 1 s call mostly
            // ends at its timeout, now and then when the node is seen offline; either way it is
            // reported, and the other node answers
            JsonNode r = call("--timeout", "1", "kit", "add", "20", "22");
            assertThat(r.get(one).asInt()).isEqualTo(42);
            assertThat(r.get(two).get("error").asText())
                    .isIn("no answer within 1000 ms", "the node went offline during the call");
            assertThat(longer.get(20, java.util.concurrent.TimeUnit.SECONDS).get(two).get("error").asText())
                    .isIn("the node went offline during the call", "node is offline");
            client.shutdown();
        } finally {
            SdmProcess.signal("CONT", pid);
        }
        Waits.until("slave-2 online", Duration.ofSeconds(10), Duration.ofMillis(100), () -> admin.node("slave-2"),
                n -> n.get("online").asBoolean());
    }

    @Test
    void slowCallsOverlapAndNeverStallHeartbeats() throws Exception {
        String one = nodeId("slave-1");
        // own threads: the common pool may have one thread on a 2-core machine
        ExecutorService clients = Executors.newFixedThreadPool(3);
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(
                () -> quietly("--node", one, "kit", "together"), clients);
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(
                () -> quietly("--node", one, "kit", "together"), clients);
        assertThat(first.get().get(one).asInt()).as("two calls inside the function at once").isEqualTo(1);
        assertThat(second.get().get(one).asInt()).isEqualTo(1);

        // a call longer than the liveness timeout: the node stays online all along
        CompletableFuture<JsonNode> slow = CompletableFuture.supplyAsync(
                () -> quietly("--timeout", "20", "--node", one, "kit", "slow", "4500"), clients);
        while (!slow.isDone()) {
            assertThat(admin.node("slave-1").get("online").asBoolean()).as("online during a slow call").isTrue();
        }
        assertThat(slow.get().get(one).asInt()).isEqualTo(4500);
        clients.shutdown();
    }

    private static JsonNode quietly(String... args) {
        try {
            return call(args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void stopUnloadsTheLibraryAndStartLoadsItAgain() throws Exception {
        installOwn("toggled", "1.0.0");
        long pid = slavePid("slave-1");
        assertThat(mapped(pid, "libtoggled.so")).isTrue();
        admin.json("sdm:stop", "toggled");
        assertThat(mapped(pid, "libtoggled.so")).as("unloaded after stop").isFalse();
        assertThat(error("toggled", "add", "1", "2")).isEqualTo("program toggled is not started (it is stopped)");
        admin.json("sdm:start", "toggled");
        assertThat(mapped(pid, "libtoggled.so")).isTrue();
        assertThat(call("toggled", "add", "1", "2").get(nodeId("slave-1")).asInt()).isEqualTo(3);
    }

    @Test
    void anUpdateSwapsTheLibraryWithoutARestart() throws Exception {
        installOwn("swapped", "1.0.0");
        long pid1 = slavePid("slave-1");
        long pid2 = slavePid("slave-2");
        assertThat(call("swapped", "version").get(nodeId("slave-1")).asInt()).isEqualTo(100);
        Path v2 = TestPrograms.packNative(work, "swapped", "1.1.0", SOURCE, FUNCTIONS);
        admin.json("sdm:update", v2.toString());
        JsonNode after = call("swapped", "version");
        assertThat(after.get(nodeId("slave-1")).asInt()).isEqualTo(101);
        assertThat(after.get(nodeId("slave-2")).asInt()).isEqualTo(101);
        assertThat(slavePid("slave-1")).isEqualTo(pid1);
        assertThat(slavePid("slave-2")).isEqualTo(pid2);
        assertThat(Files.readString(Path.of("/proc/" + pid1 + "/maps")).lines()
                .filter(l -> l.contains("libswapped.so")).map(l -> l.substring(l.indexOf('/'))).distinct().count())
                .as("one copy of the library mapped, the new one").isEqualTo(1);
    }

    @Test
    void aSegfaultFailsItsProgramOnThatNodeOnlyAndItIsNotStartedAgainInALoop() throws Exception {
        installOwn("crasher", "1.0.0");
        installOwn("bystander", "1.0.0");
        String one = nodeId("slave-1");
        long pid = slavePid("slave-1");

        long crashedAt = System.currentTimeMillis();
        JsonNode crash = call("--timeout", "3", "--node", one, "crasher", "boom");
        assertThat(crash.get(one).get("error").asText()).isNotBlank();
        Waits.until("slave-1 restarted and registered again", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.node("slave-1"),
                n -> n.get("online").asBoolean() && n.get("onlineSinceMs").asLong() > crashedAt);
        assertThat(slavePid("slave-1")).isNotEqualTo(pid);
        JsonNode crasher = Waits.until("crasher failed on slave-1", Duration.ofSeconds(15), Duration.ofMillis(200),
                () -> admin.app("crasher"), a -> admin.states(a).get("slave-1").equals("failed"));
        JsonNode failedNode = null;
        for (JsonNode n : crasher.get("nodes")) {
            if (n.get("name").asText().equals("slave-1")) {
                failedNode = n;
            }
        }
        assertThat(failedNode.get("detail").asText()).isEqualTo("node crashed during boom()");
        assertThat(admin.states(crasher).get("slave-2")).isEqualTo("active");
        Waits.until("bystander active again on slave-1", Duration.ofSeconds(15), Duration.ofMillis(200),
                () -> admin.states(admin.app("bystander")).get("slave-1"), s -> s.equals("active"));
        assertThat(call("bystander", "add", "2", "2").get(one).asInt()).isEqualTo(4);
        assertThat(call("crasher", "add", "2", "2").get(one).get("error").asText()).contains("failed there");

        long restarted = slavePid("slave-1");
        admin.json("sdm:stop", "bystander");
        assertThat(slavePid("slave-1")).as("not restarted in a loop").isEqualTo(restarted);
        assertThat(mapped(restarted, "libcrasher.so")).as("the crashing program is not loaded again").isFalse();
        assertThat(root.resolve("slave-1/log/hs_err_pid" + pid + ".log")).as("the crash report").exists();

        JsonNode again = admin.json("sdm:start", "crasher");
        assertThat(admin.states(again).get("slave-1")).as("the operator's start tries again").isEqualTo("active");
        assertThat(call("crasher", "add", "2", "3").get(one).asInt()).isEqualTo(5);
    }

    /** Not every death during a call is a crash of that call: a kill -9 blames nobody. */
    @Test
    void aSlaveKilledDuringACallDoesNotFailItsPrograms() throws Exception {
        String two = nodeId("slave-2");
        long pid = slavePid("slave-2");
        Path inside = work.resolve("inside-" + pid);
        ExecutorService client = Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<JsonNode> held = client.submit(
                () -> call("--timeout", "8", "--node", two, "kit", "hold", inside.toString()));
        Waits.until("the call inside hold()", Duration.ofSeconds(15), Duration.ofMillis(20), () -> {
            if (held.isDone()) {
                throw new AssertionError("the call ended before it was inside: " + held.get());
            }
            return Files.exists(inside);
        }, in -> in);
        long killedAt = System.currentTimeMillis();
        SdmProcess.signal("KILL", pid);
        // registered again, not merely still within the liveness timeout of the killed process
        Waits.until("slave-2 restarted and registered again", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.node("slave-2"),
                n -> n.get("online").asBoolean() && n.get("onlineSinceMs").asLong() > killedAt);
        Waits.until("kit active again on slave-2", Duration.ofSeconds(15), Duration.ofMillis(200),
                () -> admin.states(admin.app("kit")).get("slave-2"), s -> s.equals("active"));
        JsonNode after = call("kit", "add", "1", "1");
        assertThat(after.get(two).asInt()).as(after.toString()).isEqualTo(2);
        client.shutdownNow();
    }

}
