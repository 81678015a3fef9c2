package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Random;
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
        Files.writeString(stranger.resolve(NodeFiles.ADMIN_KEY), CurveKeyPair.generate().secretKey());
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
}
