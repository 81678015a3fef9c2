package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.api.ProgramState;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * Programs on a real machine: {@code bin/sdm local --slaves 3} plus one slave labelled
 * {@code zone=b}, real archives with gcc-built libraries, faults made with signals. Each test
 * starts with every slave online and no program on the machine, and installs its own.
 * {@link #aPeerWithTheJoinTokenCannotMisuseTheProgramMessages} runs last: the node it registers
 * stays known to the master, offline, and every program installed after it would select it too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProgramsIT {

    private static final List<String> ALL = List.of("master", "slave-1", "slave-2", "slave-3", "zoned");

    @TempDir
    static Path work;

    private static SdmProcess local;
    private static SdmProcess zoned;
    private static Path root;
    private static AdminSession admin;

    @BeforeAll
    static void startMachine() throws Exception {
        int port = Ports.free();
        root = work.resolve("sdm-data");
        local = SdmProcess.start(work, Map.of(), "local", "--no-console", "--bind", "127.0.0.1:" + port);
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(root.resolve("master/master.endpoint")), done -> done);
        admin = new AdminSession(root.resolve("master"));
        String token = Files.readString(root.resolve("master/join.token")).strip();
        zoned = SdmProcess.start(work.resolve("zoned"), Map.of(), "slave", "--master", "127.0.0.1:" + port,
                "--token", token, "--name", "zoned", "--label", "zone=b", "--data", "data");
        Waits.until("4 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 4);
    }

    @AfterAll
    static void stopMachine() throws Exception {
        if (zoned != null) {
            zoned.close();
        }
        if (local != null) {
            local.close();
        }
    }

    private static Map<String, String> allIn(String state) {
        Map<String, String> out = new java.util.TreeMap<>();
        ALL.forEach(n -> out.put(n, state));
        return out;
    }

    @BeforeEach
    void everySlaveOnlineAndNoProgram() throws Exception {
        SharedMachine.online(admin, 4);
        Path deploy = root.resolve("master/deploy");
        for (String archive : files(deploy, ".jam.zip")) {
            Files.delete(deploy.resolve(archive));
        }
        SharedMachine.uninstallAllBut(admin, Set.of());
        Waits.until("no program left on the machine", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            List<String> left = new ArrayList<>(files(root.resolve("master/programs/bundles"), ".jar"));
            admin.json("sdm:apps").forEach(app -> left.add(app.get("name").asText()));
            for (String slave : ALL.subList(1, ALL.size())) {
                left.addAll(files(programsOf(slave), ".jar"));
            }
            return left;
        }, List::isEmpty);
    }

    private static Path programsOf(String name) {
        return name.equals("zoned") ? work.resolve("zoned/data/programs") : root.resolve(name + "/programs");
    }

    private static final java.time.format.DateTimeFormatter LOG_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(java.time.ZoneId.systemDefault());

    /** When the last line of a slave's log containing {@code text} was written, in epoch milliseconds. */
    private static long lastLogged(String slave, String text) throws Exception {
        Path log = programsOf(slave).resolveSibling("log/sdm.0.log");
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(text)) {
                return java.time.Instant.from(LOG_TIME.parse(lines.get(i).substring(0, 23))).toEpochMilli();
            }
        }
        throw new AssertionError("no '" + text + "' in " + log);
    }

    private static List<String> files(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
        }
    }

    @Test
    void installStartStopUpdateUninstallOnEverySlave() throws Exception {
        Path v1 = TestPrograms.pack(work, "calc", "1.0.0", "x86_64", Map.of(), 0);
        Path v2 = TestPrograms.pack(work, "calc", "1.1.0", "x86_64", Map.of(), 0);

        // through bin/sdm client: the archive is uploaded from here
        SdmProcess.Result install = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client",
                "sdm:install", "--start", v1.toString());
        assertThat(install.exitCode()).as(install.stderr()).isZero();
        assertThat(install.stdout()).contains("calc 1.0.0: desired active", "4 of 4 selected slaves at the desired state");
        JsonNode app = admin.app("calc");
        assertThat(admin.states(app)).isEqualTo(allIn("active"));
        assertThat(app.get("version").asText()).isEqualTo("1.0.0");
        String sha1 = app.get("sha256").asText();
        for (String slave : ALL.subList(1, ALL.size())) {
            assertThat(files(programsOf(slave), ".jar")).as(slave).containsExactly(sha1 + ".jar");
        }

        assertThat(admin.states(admin.json("sdm:stop", "calc"))).isEqualTo(allIn("stopped"));

        SdmProcess.Result update = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client",
                "sdm:update", v2.toString());
        assertThat(update.exitCode()).as(update.stderr()).isZero();
        JsonNode updated = admin.app("calc");
        assertThat(updated.get("version").asText()).isEqualTo("1.1.0");
        assertThat(admin.states(updated)).as("an update keeps the program's state").isEqualTo(allIn("stopped"));
        String sha2 = updated.get("sha256").asText();
        assertThat(sha2).isNotEqualTo(sha1);
        for (String slave : ALL.subList(1, ALL.size())) {
            assertThat(files(programsOf(slave), ".jar")).as(slave).containsExactly(sha2 + ".jar");
        }

        assertThat(admin.states(admin.json("sdm:start", "calc"))).isEqualTo(allIn("active"));
        JsonNode apps = admin.json("sdm:apps");
        assertThat(apps).hasSize(1);
        assertThat(apps.get(0).get("atDesired").asInt()).isEqualTo(4);

        // a rolling update: one slave at a time, each done (and active again) before the next begins
        Path v3 = TestPrograms.pack(work, "calc", "1.2.0", "x86_64", Map.of(), 0);
        JsonNode rolled = admin.json("sdm:update", v3.toString());
        assertThat(rolled.get("version").asText()).isEqualTo("1.2.0");
        assertThat(admin.states(rolled)).isEqualTo(allIn("active"));
        List<long[]> steps = new ArrayList<>();
        for (String slave : ALL.subList(1, ALL.size())) {
            steps.add(new long[] {lastLogged(slave, "updating calc 1.1.0 -> 1.2.0"),
                    lastLogged(slave, "updated calc 1.2.0")});
        }
        steps.sort(java.util.Comparator.comparingLong(step -> step[0]));
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i)[0]).as("slave %d updated after slave %d was active again", i, i - 1)
                    .isGreaterThanOrEqualTo(steps.get(i - 1)[1]);
        }

        JsonNode removed = admin.json("sdm:uninstall", "calc");
        assertThat(admin.states(removed)).isEqualTo(allIn("removed"));
        assertThat(admin.json("sdm:apps")).isEmpty();
        for (String slave : ALL.subList(1, ALL.size())) {
            assertThat(files(programsOf(slave), ".jar")).as(slave + " deleted the bundle").isEmpty();
        }
        assertThat(files(root.resolve("master/programs/bundles"), ".jar")).isEmpty();
    }

    @Test
    void placementSelectsSlavesByLabelAndANodeWithoutItsLibraryIsUnsupported() throws Exception {
        Path zoneB = TestPrograms.pack(work, "edge", "1.0.0", "x86_64", Map.of("zone", "b"), 0);
        JsonNode edge = admin.json("sdm:install", "--start", zoneB.toString());
        assertThat(admin.states(edge)).isEqualTo(Map.of("master", "active", "zoned", "active"));
        assertThat(files(programsOf("slave-1"), ".jar")).isEmpty();

        Path arm = TestPrograms.pack(work, "armonly", "1.0.0", "aarch64", Map.of(), 0);
        JsonNode armonly = admin.json("sdm:install", "--start", arm.toString());
        Map<String, String> expected = allIn("unsupported");
        expected.put("master", "active");
        assertThat(admin.states(armonly)).isEqualTo(expected);
        assertThat(armonly.get("nodes").get(0).get("detail").asText()).contains("no library for linux/x86_64");

        admin.json("sdm:uninstall", "edge");
        admin.json("sdm:uninstall", "armonly");
        assertThat(admin.json("sdm:apps")).isEmpty();
    }

    @Test
    void aSlaveFrozenDuringInstallAndDuringUninstallConvergesWhenItWakes() throws Exception {
        Path v1 = TestPrograms.pack(work, "frozen", "1.0.0", "x86_64", Map.of(), 0);
        long pid = Long.parseLong(Files.readString(root.resolve("slave-2/sdm.pid")).strip());
        SdmProcess.signal("STOP", pid);
        try {
            Waits.until("slave-2 offline", Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> admin.node("slave-2"), n -> !n.get("online").asBoolean());
            long started = System.currentTimeMillis();
            JsonNode during = admin.json("sdm:install", "--start", v1.toString());
            assertThat(System.currentTimeMillis() - started).as("an offline node never blocks a command")
                    .isLessThan(5_000);
            Map<String, String> expected = allIn("active");
            expected.put("slave-2", "pending");
            assertThat(admin.states(during)).isEqualTo(expected);
        } finally {
            SdmProcess.signal("CONT", pid);
        }
        Waits.until("slave-2 active after waking", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> admin.states(admin.app("frozen")), s -> s.equals(allIn("active")));

        SdmProcess.signal("STOP", pid);
        try {
            Waits.until("slave-2 offline", Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> admin.node("slave-2"), n -> !n.get("online").asBoolean());
            JsonNode removed = admin.json("sdm:uninstall", "frozen");
            Map<String, String> expected = allIn("removed");
            expected.put("slave-2", "pending");
            assertThat(admin.states(removed)).isEqualTo(expected);
        } finally {
            SdmProcess.signal("CONT", pid);
        }
        Waits.until("slave-2 to remove the program after waking", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> files(programsOf("slave-2"), ".jar"), List::isEmpty);
        Waits.until("slave-2 log", Duration.ofSeconds(5), Duration.ofMillis(100),
                () -> Files.readString(root.resolve("slave-2/log/sdm.0.log")), l -> l.contains("uninstalled frozen"));
    }

    @Test
    void badCommandsGetOneLineAndChangeNothing() throws Exception {
        Path v1 = TestPrograms.pack(work, "solid", "1.0.0", "x86_64", Map.of(), 0);
        admin.json("sdm:install", v1.toString());
        Path junk = work.resolve("junk.jam.zip");
        Files.writeString(junk, "not a zip at all");
        Path priv = TestPrograms.packWithPrivileges(work, "boss", "1.0.0", List.of("programs.control"));

        List<String[]> bad = List.of(
                new String[] {"sdm:install", junk.toString()},
                new String[] {"sdm:install", work.resolve("missing.jam.zip").toString()},
                new String[] {"sdm:install", v1.toString()},
                new String[] {"sdm:install", priv.toString()},
                new String[] {"sdm:update", priv.toString()},
                new String[] {"sdm:start", "nosuch"},
                new String[] {"sdm:stop", "nosuch"},
                new String[] {"sdm:uninstall", "nosuch"},
                new String[] {"sdm:app", "nosuch"},
                new String[] {"sdm:start", "--timeout", "-4", "solid"});
        List<String> errors = new ArrayList<>();
        for (String[] command : bad) {
            Message.AdminReply r = admin.reply(command);
            assertThat(r.ok()).as(String.join(" ", command)).isFalse();
            assertThat(r.error()).as(String.join(" ", command)).isNotBlank().doesNotContain("\n");
            errors.add(r.error());
        }
        assertThat(errors.get(0)).startsWith("junk.jam.zip: ");
        assertThat(errors.get(1)).contains("missing.jam.zip: no such file");
        assertThat(errors.get(2)).contains("solid is already installed");
        assertThat(errors.get(3)).contains("boss needs privileges that were not granted: programs.control");
        assertThat(errors.get(5)).contains("no program named 'nosuch'");

        JsonNode granted = admin.json("sdm:install", "--grant", "programs.control", priv.toString());
        assertThat(granted.get("desired").asText()).isEqualTo("installed");
        JsonNode apps = admin.json("sdm:apps");
        assertThat(apps).hasSize(2);
        assertThat(admin.states(admin.app("solid"))).isEqualTo(allIn("installed"));
        admin.json("sdm:uninstall", "solid");
        admin.json("sdm:uninstall", "boss");
        assertThat(local.isAlive()).isTrue();
    }

    @Test
    void theDeployFolderInstallsUpdatesAndUninstalls() throws Exception {
        Path deploy = root.resolve("master/deploy");
        Path v1 = TestPrograms.pack(work, "dropped", "1.0.0", "x86_64", Map.of(), 0);
        Path v2 = TestPrograms.pack(work, "dropped", "1.1.0", "x86_64", Map.of(), 0);
        Path target = deploy.resolve("dropped.jam.zip");

        List<Long> dropToActive = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            Path staging = work.resolve("staging.jam.zip");
            Files.copy(v1, staging, StandardCopyOption.REPLACE_EXISTING);
            long dropped = System.currentTimeMillis();
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            Waits.until("dropped active everywhere", Duration.ofSeconds(15), Duration.ofMillis(50),
                    () -> admin.app("dropped"), a -> a != null && admin.states(a).equals(allIn("active")));
            // from the nodes' own logs: polling with a new admin connection each time would add its handshake
            long lastStart = 0;
            for (String slave : ALL.subList(1, ALL.size())) {
                lastStart = Math.max(lastStart, lastLogged(slave, "started dropped 1.0.0"));
            }
            dropToActive.add(lastStart - dropped);
            Files.delete(target);
            Waits.until("dropped uninstalled", Duration.ofSeconds(15), Duration.ofMillis(50),
                    () -> admin.json("sdm:apps").size(), n -> n == 0);
        }
        Collections.sort(dropToActive);
        System.out.println("deploy folder drop-to-active on 4 slaves, ms: " + dropToActive + ", median "
                + dropToActive.get(2));
        assertThat(dropToActive.get(0)).as("active after the drop, not before").isPositive();

        Files.copy(v1, target);
        Waits.until("dropped 1.0.0 active", Duration.ofSeconds(15), Duration.ofMillis(50),
                () -> admin.app("dropped"), a -> a != null && admin.states(a).equals(allIn("active")));
        Files.copy(v2, target, StandardCopyOption.REPLACE_EXISTING);
        Waits.until("dropped 1.1.0 active", Duration.ofSeconds(15), Duration.ofMillis(50),
                () -> admin.app("dropped"), a -> a.get("version").asText().equals("1.1.0")
                        && admin.states(a).equals(allIn("active")));

        Path bad = deploy.resolve("broken.jam.zip");
        Files.writeString(bad, "garbage");
        Path error = deploy.resolve("broken.jam.zip.error");
        String line = Waits.until("broken.jam.zip.error", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> Files.exists(error) ? Files.readString(error) : null, s -> !s.isBlank());
        assertThat(line.strip()).startsWith("broken.jam.zip: ").doesNotContain("\n");
        assertThat(admin.json("sdm:apps")).hasSize(1);
        Files.delete(bad);
        Waits.until("the error file to go with its archive", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> Files.exists(error), exists -> !exists);

        Files.delete(target);
        Waits.until("dropped uninstalled", Duration.ofSeconds(15), Duration.ofMillis(50),
                () -> admin.json("sdm:apps").size(), n -> n == 0);
    }

    /**
     * A peer that holds the join token is still not trusted: it cannot fetch a bundle the store
     * does not name, upload, or report for a node it never registered, and a chunk it sends is not
     * a message a master accepts.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aPeerWithTheJoinTokenCannotMisuseTheProgramMessages() throws Exception {
        long unexpectedBefore = admin.counter("droppedUnexpected");
        long malformedBefore = admin.counter("droppedMalformed");
        JoinToken token = JoinToken.parse(Files.readString(root.resolve("master/join.token")));
        String address = Files.readString(root.resolve("master/master.endpoint")).strip();
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket peer = RawPeers.enrolled(ctx, token, address, "intruder-id", CurveKeyPair.generate());
            peer.setReceiveTimeOut(10_000);
            MessageCodec codec = new MessageCodec();
            String sha = "ab".repeat(32);
            peer.send(codec.encode(new Message.Fetch(sha, 0, 1024)));
            Message reply = RawPeers.nextNotHeartbeat(peer, codec);
            assertThat(reply).as("an unregistered connection is told to register").isInstanceOf(Message.Reregister.class);
            peer.send(codec.encode(new Message.Report(1, List.of(new Message.ProgramStatus("calc", "9.9.9", sha,
                    ProgramState.ACTIVE, "", 1)))));
            assertThat(RawPeers.nextNotHeartbeat(peer, codec)).isInstanceOf(Message.Reregister.class);
            peer.send(codec.encode(new Message.Upload("u1", "x.jam.zip", 0, 1, new byte[1])), ZMQ.SNDMORE);
            peer.send(new byte[1]);
            peer.send(codec.encode(new Message.Chunk(sha, 0, 1, new byte[1])));
            peer.send(codec.encode(new Message.Register("intruder-id", "intruder", Map.of(), "linux", "x86_64",
                    "0")));
            Waits.until("the welcome", Duration.ofSeconds(5), Duration.ofMillis(10), () -> codec.decode(peer.recv()),
                    m -> m instanceof Message.Welcome);
            peer.send(codec.encode(new Message.Fetch(sha, 0, 1024)));
            peer.send(codec.encode(new Message.Fetch(sha.replace('a', 'c'), 1L << 40, 1024)));
        }
        Waits.until("the upload refused as unexpected from a slave", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> admin.counter("droppedUnexpected"), n -> n > unexpectedBefore);
        Waits.until("the chunk without data refused", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> admin.counter("droppedMalformed"), n -> n > malformedBefore);
        assertThat(admin.json("sdm:apps")).isEmpty();
        assertThat(local.isAlive()).isTrue();
        assertThat(admin.onlineCount()).isGreaterThanOrEqualTo(4);
    }
}
