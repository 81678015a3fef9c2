package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.Waits;

/**
 * Every slave its own key, on real processes: a master and slaves started with {@code bin/sdm}.
 * A slave enrolls its key with the join token once; from then on the key is its credential,
 * bound to its node id. Each test starts a machine of its own.
 */
class EnrollmentIT {

    private static final Map<String, String> SMALL_HEAP = Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP);

    @TempDir
    Path work;
    private final List<SdmProcess> processes = new ArrayList<>();
    private int port;
    private String token;
    private AdminSession admin;

    @BeforeEach
    void startMaster() throws Exception {
        port = Ports.free();
        processes.add(SdmProcess.master(work, port, "master"));
        token = SdmProcess.joinToken(work.resolve("master"));
        admin = new AdminSession(work.resolve("master"));
    }

    @AfterEach
    void stopAll() {
        processes.forEach(SdmProcess::close);
    }

    private SdmProcess slave(String name, String withToken) throws Exception {
        SdmProcess s = SdmProcess.slave(work, SMALL_HEAP, port, withToken, name);
        processes.add(s);
        return s;
    }

    private JsonNode online(String name) throws Exception {
        return Waits.until(name + " online", Duration.ofSeconds(60), Duration.ofMillis(100), () -> admin.node(name),
                n -> n != null && n.get("online").asBoolean());
    }

    @Test
    void aSlaveEnrollsItsOwnKeyAndSdmNodesShowsItsFingerprint() throws Exception {
        slave("alpha", token);
        JsonNode alpha = online("alpha");
        assertThat(alpha.get("key").asText()).matches("[0-9a-f]{16}");
        Path key = work.resolve("alpha/slave.key");
        assertThat(Files.getPosixFilePermissions(key)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(admin.counter("enrolled")).isEqualTo(1);
        assertThat(admin.text("sdm:nodes")).contains("KEY", alpha.get("key").asText());
    }

    @Test
    void aSecondSlaveWithTheTokenCannotTakeALiveNodesId() throws Exception {
        slave("victim", token);
        String victimId = online("victim").get("id").asText();
        long since = admin.node("victim").get("onlineSinceMs").asLong();
        // the impostor: the victim's node id, the join token, a key of its own
        Files.createDirectories(work.resolve("impostor"));
        Files.writeString(work.resolve("impostor").resolve(NodeFiles.NODE_ID), victimId + "\n");
        SdmProcess impostor = slave("impostor", token);
        Waits.until("the impostor's enrollment refused", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> admin.counter("enrollmentsRefused"), n -> n >= 1);
        Waits.until("the impostor told why", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> impostor.stderr() + slaveLog("impostor"), said -> said.contains("refused this node"));
        JsonNode victim = admin.node("victim");
        assertThat(victim.get("online").asBoolean()).isTrue();
        assertThat(victim.get("onlineSinceMs").asLong()).as("never flapped").isEqualTo(since);
        assertThat(admin.nodes()).hasSize(1);
    }

    @Test
    void aRevokedSlaveGoesOfflineAtOnceAndStaysOut() throws Exception {
        slave("doomed", token);
        String id = online("doomed").get("id").asText();
        slave("kept", token);
        online("kept");
        assertThat(admin.text("sdm:revoke", id)).contains("revoked " + id);
        Waits.until("doomed offline", Duration.ofSeconds(5), Duration.ofMillis(50), () -> admin.node("doomed"),
                n -> !n.get("online").asBoolean());
        long refusedBefore = admin.counter("handshakesRefused") + admin.counter("impersonationsRefused")
                + admin.counter("enrollmentsRefused");
        // the slave goes on trying: with its key (refused at the handshake) and with the token
        // (its id is revoked); it never comes back
        Waits.until("the revoked slave refused again", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.counter("handshakesRefused") + admin.counter("impersonationsRefused")
                        + admin.counter("enrollmentsRefused"), n -> n > refusedBefore);
        assertThat(admin.node("doomed").get("online").asBoolean()).isFalse();
        assertThat(admin.node("doomed").get("key").asText()).endsWith("(revoked)");
        assertThat(admin.node("kept").get("online").asBoolean()).isTrue();
        assertThat(admin.reply("sdm:revoke", "no-such-node").error()).contains("no slave no-such-node was ever enrolled");
    }

    @Test
    void aRotatedTokenNoLongerEnrollsButEnrolledSlavesStay() throws Exception {
        SdmProcess old = slave("old", token);
        online("old");
        String rotated = admin.text("sdm:token", "--rotate").strip();
        assertThat(rotated).startsWith("SDM1-").isNotEqualTo(token);
        assertThat(SdmProcess.joinToken(work.resolve("master"))).isEqualTo(rotated);
        long refusedBefore = admin.counter("handshakesRefused");
        slave("late", token);
        Waits.until("the old token refused", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> admin.counter("handshakesRefused"), n -> n > refusedBefore);
        assertThat(admin.node("late")).isNull();
        // an enrolled slave restarted with the old token connects with its own key
        old.close();
        processes.remove(old);
        Waits.until("old offline", Duration.ofSeconds(30), Duration.ofMillis(100), () -> admin.node("old"),
                n -> !n.get("online").asBoolean());
        slave("old", token);
        online("old");
        // the new token from a file: it stays out of the process list
        Path tokenFile = Files.writeString(work.resolve("new.token"), rotated + "\n");
        SdmProcess fresh = SdmProcess.start(work, SMALL_HEAP, "slave", "--master", "127.0.0.1:" + port,
                "--token-file", tokenFile.toString(), "--name", "new", "--data", "new");
        processes.add(fresh);
        online("new");
        String secret = rotated.substring(rotated.lastIndexOf('-') + 1);
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
                .noneMatch(line -> line.contains(secret));
    }

    private String slaveLog(String name) throws Exception {
        Path log = work.resolve(name).resolve("log/sdm.0.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
