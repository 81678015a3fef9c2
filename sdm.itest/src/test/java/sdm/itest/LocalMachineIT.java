package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.Waits;

/**
 * {@code bin/sdm local --slaves 3} as a user runs it: real processes, real CURVE sockets on
 * 127.0.0.1, faults made with signals. Each test starts once every slave is online, and a slave
 * it froze or killed is back before it ends (or before the next test starts).
 */
class LocalMachineIT {

    @TempDir
    static Path work;

    private static SdmProcess local;
    private static Path root;
    private static int port;
    private static AdminSession admin;

    @BeforeAll
    static void startLocalMachine() throws Exception {
        port = Ports.free();
        root = work.resolve("sdm-data");
        local = SdmProcess.start(work, Map.of(), "local", "--no-console", "--bind", "127.0.0.1:" + port);
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(root.resolve("master/master.endpoint")), done -> done);
        admin = new AdminSession(root.resolve("master"));
    }

    @AfterAll
    static void stopLocalMachine() throws Exception {
        if (local != null) {
            assertThat(local.terminate(Duration.ofSeconds(30))).as("local stops on SIGTERM").isTrue();
            for (int k = 1; k <= 3; k++) {
                long pid = slavePid(k);
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("slave-" + k + " stopped with the local machine").isFalse();
            }
            local.close();
        }
    }

    @BeforeEach
    void everySlaveOnline() throws Exception {
        SharedMachine.online(admin, 3);
    }

    private static long slavePid(int k) throws IOException {
        return Long.parseLong(Files.readString(root.resolve("slave-" + k + "/sdm.pid")).strip());
    }

    @Test
    void threeSlavesComeOnline() throws Exception {
        Waits.until("3 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 3);
        assertThat(admin.nodes()).extracting(n -> n.get("name").asText())
                .containsExactly("slave-1", "slave-2", "slave-3");
        JsonNode one = admin.node("slave-1");
        assertThat(one.get("os").asText()).isEqualTo("linux");
        assertThat(one.get("address").asText()).startsWith("127.0.0.1:");
        assertThat(one.get("lastSeenMs").asLong()).isPositive();
        String token = Files.readString(root.resolve("master/join.token")).strip();
        assertThat(token).startsWith("SDM1-");
        for (String secret : List.of("master/admin.key", "master/master.key", "master/join.token",
                "slave-1/join.token")) {
            assertThat(Files.getPosixFilePermissions(root.resolve(secret)).toString()).as(secret)
                    .isEqualTo("[OWNER_READ, OWNER_WRITE]");
        }
        // shown once on the console, never in a log
        assertThat(local.stdout()).contains(token);
        String tokenSecret = token.substring(token.lastIndexOf('-') + 1);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path log : files.filter(f -> f.toString().contains("/log/")).filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain(tokenSecret);
            }
        }
    }

    @Test
    void aFrozenSlaveGoesOfflineWithinTheLivenessTimeoutAndComesBack() throws Exception {
        long pid = slavePid(1);
        long stoppedAt = System.currentTimeMillis();
        SdmProcess.signal("STOP", pid);
        long resumedAt;
        try {
            JsonNode offline = Waits.until("slave-1 offline", Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> admin.node("slave-1"), n -> !n.get("online").asBoolean());
            long detection = offline.get("offlineSinceMs").asLong() - stoppedAt;
            System.out.println("failure detection: " + detection + " ms");
            // 3 s of silence at most, counted from the last heartbeat before the freeze
            assertThat(detection).isBetween(1_500L, 3_000L + 500L);
            assertThat(admin.node("slave-2").get("online").asBoolean()).isTrue();
        } finally {
            resumedAt = System.currentTimeMillis();
            SdmProcess.signal("CONT", pid);
        }
        JsonNode back = Waits.until("slave-1 online again", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> admin.node("slave-1"), n -> n.get("online").asBoolean());
        long returnTime = back.get("onlineSinceMs").asLong() - resumedAt;
        System.out.println("return detection: " + returnTime + " ms");
        assertThat(returnTime).isLessThanOrEqualTo(2_000L);
    }

    @Test
    void aKilledSlaveIsRestartedAndRejoins() throws Exception {
        long pid = slavePid(2);
        String id = admin.node("slave-2").get("id").asText();
        long killedAt = System.currentTimeMillis();
        SdmProcess.signal("KILL", pid);
        JsonNode back = Waits.until("slave-2 restarted and online", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.node("slave-2"),
                n -> n.get("online").asBoolean() && n.get("onlineSinceMs").asLong() > killedAt);
        assertThat(slavePid(2)).isNotEqualTo(pid);
        assertThat(back.get("id").asText()).as("the node id survives the restart").isEqualTo(id);
        assertThat(admin.nodes()).hasSize(3);
    }

    @Test
    void aSlaveWithAWrongTokenNeverAppears() throws Exception {
        String masterKey = Files.readString(root.resolve("master/master.pub")).strip();
        long refusedBefore = admin.counter("handshakesRefused");
        String wrong = JoinToken.create(masterKey).text();
        try (SdmProcess intruder = SdmProcess.start(work.resolve("intruder"), Map.of(), "slave", "--master",
                "127.0.0.1:" + port, "--token", wrong, "--name", "intruder", "--data", "data")) {
            Waits.until("the master to refuse the intruder", Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> admin.counter("handshakesRefused"), n -> n > refusedBefore);
            Waits.until("the intruder to log the refusal", Duration.ofSeconds(30), Duration.ofMillis(200),
                    intruder::stderr, s -> s.contains("refused the handshake"));
            assertThat(intruder.isAlive()).isTrue();
            assertThat(admin.nodes()).extracting(n -> n.get("name").asText()).doesNotContain("intruder")
                    .hasSize(3);
        }
    }

    @Test
    void theClientRunsCommandsAndAClientWithoutTheAdminKeyIsRefused() throws Exception {
        SdmProcess.Result nodes = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client", "sdm:nodes");
        assertThat(nodes.exitCode()).as(nodes.stderr()).isZero();
        assertThat(nodes.stdout()).contains("slave-1", "slave-2", "slave-3", "online", "LAST SEEN");

        SdmProcess.Result json = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client", "--json",
                "sdm:master");
        assertThat(json.exitCode()).isZero();
        assertThat(json.stdout()).contains("\"uptimeMs\"", "\"counters\"", "\"address\" : \"127.0.0.1:" + port);

        SdmProcess.Result unknown = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client",
                "sdm:nosuch");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr().strip()).startsWith("sdm client: ").doesNotContain("\n");

        Path stranger = work.resolve("stranger");
        Files.createDirectories(stranger);
        Files.copy(root.resolve("master/master.pub"), stranger.resolve(NodeFiles.MASTER_PUBLIC_KEY));
        Files.setPosixFilePermissions(Files.writeString(stranger.resolve(NodeFiles.ADMIN_KEY),
                CurveKeyPair.generate().secretKey()), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        SdmProcess.Result refused = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client",
                "--master", "127.0.0.1:" + port, "--data", stranger.toString(), "sdm:nodes");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).isEmpty();
        assertThat(refused.stderr().strip()).startsWith("sdm client: ").contains("refused the admin key")
                .doesNotContain("\n");
    }

    @Test
    void garbageSentToTheMastersPortLeavesItServing() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (Socket raw = new Socket("127.0.0.1", port); OutputStream out = raw.getOutputStream()) {
                byte[] junk = new byte[1 + random.nextInt(64 * 1024)];
                random.nextBytes(junk);
                if (i % 4 == 0) {
                    // a ZMTP greeting that announces CURVE, then junk
                    junk[0] = (byte) 0xff;
                }
                out.write(junk);
                out.flush();
            } catch (IOException e) {
                // the master may cut us off mid-write: that is its right
            }
        }
        long malformedBefore = admin.counter("droppedMalformed");
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket plain = ctx.createSocket(SocketType.DEALER);
            plain.setLinger(0);
            plain.connect("tcp://127.0.0.1:" + port);
            plain.send("no encryption at all");

            // a peer holding the join token, speaking nonsense
            JoinToken token = JoinToken.parse(Files.readString(root.resolve("master/join.token")));
            ZMQ.Socket admitted = RawPeers.admitted(ctx, token, "127.0.0.1:" + port);
            for (int i = 0; i < 100; i++) {
                admitted.send(("{\"type\":\"register\",\"nodeId\":" + i).getBytes(StandardCharsets.UTF_8));
            }
            Waits.until("100 malformed messages counted", Duration.ofSeconds(20), Duration.ofMillis(200),
                    () -> admin.counter("droppedMalformed"), n -> n >= malformedBefore + 100);
        }
        assertThat(admin.onlineCount()).isEqualTo(3);
        SdmProcess.Result nodes = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "client", "sdm:nodes");
        assertThat(nodes.exitCode()).isZero();
        assertThat(local.isAlive()).isTrue();
    }

    @Test
    void aRemoteClientRunsOnlySdmCommandsAndHelp() throws Exception {
        Path jar = bundleJar(work.resolve("remote/x.jar"), "sdm.itest.remote");
        Set<String> before = bundleArchives();
        String only = "sdm client: only sdm:* commands and help run remotely; ";

        SdmProcess.Result install = client("felix:install", jar.toUri().toString());
        assertThat(install.exitCode()).isEqualTo(1);
        assertThat(install.stdout()).isEmpty();
        assertThat(install.stderr().strip()).isEqualTo(only + "felix:install runs on the master's own console");
        assertThat(client("lb").stderr().strip()).isEqualTo(only + "lb runs on the master's own console");
        assertThat(client("cm:list").stderr().strip()).isEqualTo(only + "cm:list runs on the master's own console");
        assertThat(client("help", "felix:install").stderr().strip())
                .isEqualTo(only + "help felix:install runs on the master's own console");
        // an argument is one string for its command, never a second command
        SdmProcess.Result smuggled = client("sdm:log", "x; felix:install " + jar.toUri());
        assertThat(smuggled.stdout() + smuggled.stderr()).doesNotContain("Bundle ID");

        SdmProcess.Result help = client("help", "sdm:nodes");
        assertThat(help.exitCode()).as(help.stderr()).isZero();
        assertThat(help.stdout()).contains("nodes");
        assertThat(bundleArchives()).as("no bundle installed").isEqualTo(before);
        assertThat(Files.readString(masterLog())).contains("admin: refused a remote request: only sdm:* commands "
                + "and help run remotely; felix:install runs on the master's own console");
    }

    @Test
    void aFileInstallConfigurationInTheDeployFolderInstallsNothing() throws Exception {
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        bundleJar(elsewhere.resolve("evil.jar"), "sdm.itest.evil");
        Path deploy = root.resolve("master/deploy");
        Set<String> before = bundleArchives();
        List<Path> dropped = List.of(deploy.resolve("org.apache.felix.fileinstall-evil.cfg"),
                deploy.resolve("plain.jar"), deploy.resolve("folder.jam.zip"));
        try {
            Files.writeString(dropped.get(0), "felix.fileinstall.dir=" + elsewhere + "\nfelix.fileinstall.poll=100\n"
                    + "felix.fileinstall.noInitialDelay=true\n");
            bundleJar(dropped.get(1), "sdm.itest.plain");
            Files.createDirectories(dropped.get(2).resolve("META-INF"));
            Files.writeString(dropped.get(2).resolve("META-INF/MANIFEST.MF"),
                    "Manifest-Version: 1.0\nBundle-ManifestVersion: 2\nBundle-SymbolicName: sdm.itest.folder\n");
            String only = ": only *.jam.zip files and sdm.master.cfg act here";
            List<String> lines = List.of("deploy folder: ignoring org.apache.felix.fileinstall-evil.cfg" + only,
                    "deploy folder: ignoring plain.jar" + only,
                    "deploy folder: ignoring folder.jam.zip (a folder)" + only);
            Waits.until("the deploy folder to report what it ignores", Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> Files.readString(masterLog()), log -> lines.stream().allMatch(log::contains));
            // many polls of FileInstall (150 ms), and of the folder the .cfg would have it watch (100 ms)
            Thread.sleep(3_000);
            String log = Files.readString(masterLog());
            for (String line : lines) {
                assertThat(log.split(Pattern.quote(line), -1)).as("once: " + line).hasSize(2);
            }
            assertThat(bundleArchives()).as("no bundle installed").isEqualTo(before);
            assertThat(client("sdm:master").exitCode()).isZero();
        } finally {
            try (Stream<Path> files = Files.walk(dropped.get(2))) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dropped.get(0));
            Files.deleteIfExists(dropped.get(1));
        }
    }

    private static SdmProcess.Result client(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("client"));
        args.addAll(List.of(command));
        return SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), args.toArray(String[]::new));
    }

    private static Path masterLog() {
        return root.resolve("master/log/sdm.0.log");
    }

    /** The bundles in the master's framework cache, by their folder (bundle0, bundle1, ...). */
    private static Set<String> bundleArchives() throws IOException {
        try (Stream<Path> entries = Files.list(root.resolve("master/cache"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("bundle\\d+"))
                    .collect(Collectors.toSet());
        }
    }

    /** An empty but valid bundle: FileInstall or felix:install would install it. */
    private static Path bundleJar(Path jar, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }
}
