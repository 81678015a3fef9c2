package sdm.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.replication.NotLeaderException;
import sdm.api.replication.ReplicaStatus;
import sdm.api.replication.ReplicatedState;

/** Three real Ratis servers over gRPC and mutual TLS on 127.0.0.1, in this JVM, each with its own folder. */
class RatisLogTest {

    /** The operations applied, in order; a snapshot is all of them. */
    static final class Applied implements ReplicatedState {
        final List<String> operations = new CopyOnWriteArrayList<>();
        volatile int loads;

        @Override
        public void apply(long index, byte[] operation) {
            operations.add(new String(operation, StandardCharsets.UTF_8));
        }

        @Override
        public void save(OutputStream out) throws IOException {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(operations.size());
            for (String o : operations) {
                data.writeUTF(o);
            }
            data.flush();
        }

        @Override
        public void load(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            List<String> all = new ArrayList<>();
            for (int n = data.readInt(); n > 0; n--) {
                all.add(data.readUTF());
            }
            operations.clear();
            operations.addAll(all);
            loads++;
        }
    }

    @TempDir
    static Path keys;
    private static ConsensusKey machineKey;

    @TempDir
    Path dir;
    private final Map<String, ConsensusKey> keyOf = new LinkedHashMap<>();
    private final Map<String, String> replicas = new LinkedHashMap<>();
    private final Map<String, RatisLog> logs = new LinkedHashMap<>();
    private final Map<String, Applied> states = new LinkedHashMap<>();
    private long snapshotEvery = 10_000;

    @AfterEach
    void close() throws IOException {
        for (RatisLog log : logs.values()) {
            log.close();
        }
    }

    private void startAll() throws IOException {
        for (String id : List.of("m1", "m2", "m3")) {
            replicas.put(id, "127.0.0.1:" + freePort());
        }
        for (String id : replicas.keySet()) {
            start(id);
        }
    }

    @BeforeAll
    static void createKey() throws Exception {
        ConsensusKey.create(keys.resolve(ConsensusKey.FILE));
        machineKey = ConsensusKey.load(keys.resolve(ConsensusKey.FILE));
    }

    private RatisLog start(String id) throws IOException {
        Applied state = new Applied();
        RatisLog log = RatisLog.start(new RatisLog.Config(id, replicas, Map.of("m1", "a:7700", "m2", "b:7700", "m3",
                "c:7700"), dir.resolve(id), Duration.ofMillis(300), snapshotEvery, 64 << 10,
                keyOf.getOrDefault(id, machineKey)), state);
        logs.put(id, log);
        states.put(id, state);
        return log;
    }

    private String awaitLeader(Duration timeout) throws InterruptedException {
        String[] leader = new String[1];
        await("a leader", timeout, () -> {
            for (Map.Entry<String, RatisLog> e : logs.entrySet()) {
                if (e.getValue().self().role() == ReplicaStatus.Role.LEADER) {
                    leader[0] = e.getKey();
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private void appendAll(String leader, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            logs.get(leader).append(("op-" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> ops(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("op-" + i);
        }
        return out;
    }

    @Test
    void whatTheLeaderAppendsIsAppliedInOneOrderOnEveryMaster() throws Exception {
        startAll();
        String leader = awaitLeader(Duration.ofSeconds(20));
        appendAll(leader, 0, 200);
        for (String id : replicas.keySet()) {
            await(id + " applied all 200", Duration.ofSeconds(20), () -> states.get(id).operations.size() == 200);
            assertThat(states.get(id).operations).as(id).isEqualTo(ops(0, 200));
        }
        List<ReplicaStatus> seen = logs.get(leader).replicas();
        assertThat(seen).extracting(ReplicaStatus::id).containsExactly("m1", "m2", "m3");
        assertThat(seen).filteredOn(r -> r.role() == ReplicaStatus.Role.LEADER).extracting(ReplicaStatus::id)
                .containsExactly(leader);
        assertThat(seen).allSatisfy(r -> assertThat(r.appliedIndex()).isPositive());
    }

    @Test
    void aFollowerRefusesToAppendAndNamesTheLeader() throws Exception {
        startAll();
        String leader = awaitLeader(Duration.ofSeconds(20));
        String follower = replicas.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        await(follower + " knows the leader", Duration.ofSeconds(10), () -> leader.equals(logs.get(follower).leaderId()));
        assertThatThrownBy(() -> logs.get(follower).append("no".getBytes(StandardCharsets.UTF_8)).get(10,
                TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(NotLeaderException.class)
                .hasMessage("not the leader: " + Map.of("m1", "a:7700", "m2", "b:7700", "m3", "c:7700").get(leader)
                        + " is");
        assertThat(states.get(follower).operations).doesNotContain("no");
    }

    @Test
    void theLeaderGoneAnotherIsElectedNothingAcknowledgedIsLostAndItCatchesUpOnItsReturn() throws Exception {
        startAll();
        String first = awaitLeader(Duration.ofSeconds(20));
        appendAll(first, 0, 50);
        logs.remove(first).close();
        long gone = System.nanoTime();
        String second = awaitLeader(Duration.ofSeconds(20));
        long electedMs = (System.nanoTime() - gone) / 1_000_000;
        assertThat(second).isNotEqualTo(first);
        assertThat(electedMs).as("elected within the 5 s a failover may take").isLessThan(5_000);
        appendAll(second, 50, 100);
        start(first);
        await(first + " caught up", Duration.ofSeconds(30), () -> states.get(first).operations.size() == 100);
        for (String id : replicas.keySet()) {
            await(id + " applied all 100", Duration.ofSeconds(20), () -> states.get(id).operations.size() == 100);
            assertThat(states.get(id).operations).as(id).isEqualTo(ops(0, 100));
        }
    }

    @Test
    void aMasterAwayForManyOperationsCatchesUpFromASnapshot() throws Exception {
        snapshotEvery = 1_000;
        startAll();
        String leader = awaitLeader(Duration.ofSeconds(20));
        String away = replicas.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        logs.remove(away).close();
        appendAll(leader, 0, 10_000);
        start(away);
        await(away + " caught up", Duration.ofSeconds(60), () -> states.get(away).operations.size() == 10_000,
                () -> "it has " + states.get(away).operations.size() + ", loads " + states.get(away).loads);
        assertThat(states.get(away).operations).isEqualTo(ops(0, 10_000));
        assertThat(states.get(away).loads).as("loaded from a snapshot, not replayed from the start").isPositive();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(what, timeout, condition, () -> "");
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition,
            java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + state.get());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aServerWithoutTheMachinesKeyNeitherReadsNorWritesTheLog() throws Exception {
        Path other = dir.resolve("other.p12");
        ConsensusKey.create(other);
        keyOf.put("m3", ConsensusKey.load(other));
        startAll();
        String leader = awaitLeader(Duration.ofSeconds(20));
        assertThat(leader).as("the two that share the key elect one of them").isNotEqualTo("m3");
        for (int i = 0; i < 20; i++) {
            logs.get(leader).append(("op-" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
        String follower = leader.equals("m1") ? "m2" : "m1";
        await("the other holder of the key applying all", Duration.ofSeconds(10),
                () -> states.get(follower).operations.size() == 20);
        // the leader retries m3 four times a second: a second of them, every one refused
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < until) {
            assertThat(states.get("m3").operations).isEmpty();
            Thread.sleep(50);
        }
        assertThat(logs.get("m3").self().role()).isNotEqualTo(ReplicaStatus.Role.LEADER);
    }
}
