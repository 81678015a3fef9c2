package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;
import sdm.transport.zmq.PeerRole;
import sdm.transport.zmq.TransportCounters;

/** Real JeroMQ sockets on 127.0.0.1: a master endpoint with its bundle server and slave gate, and floods. */
class PeerCreditTest {

    @TempDir
    Path dir;
    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final JoinToken token = JoinToken.create(serverKeys.publicKey());
    private final CurveKeyPair slaveKeys = CurveKeyPair.generate();
    private final MessageCodec codec = new MessageCodec();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private ZMQ.Socket dealer(ZContext ctx, CurveKeyPair keys, int port) {
        ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
        dealer.setCurveServerKey(ZMQ.Curve.z85Decode(serverKeys.publicKey()));
        dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
        dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        dealer.setHandshakeIvl(1_000);
        dealer.setReconnectIVL(100);
        dealer.setLinger(0);
        dealer.setSndHWM(0);
        dealer.connect("tcp://127.0.0.1:" + port);
        return dealer;
    }

    @Test
    void aFetchFloodIsRefusedAndCountedNotQueued() throws Exception {
        ProgramStore store = ProgramStore.open(dir.resolve("programs"));
        String sha = "ab".repeat(32);
        Files.write(store.bundle(sha), new byte[1 << 20]);
        Rollouts rollouts = new Rollouts();
        rollouts.begin(new ProgramStore.Program("alpha", "1.0.0", sha, 1 << 20, ProgramState.of("active"), List.of(),
                "", 1));
        BundleServer bundles = new BundleServer(store, rollouts);
        closeables.add(bundles);
        int[] maxInHands = new int[1];
        MasterEndpoint master = MasterEndpoint.start(new MasterEndpoint.Config("127.0.0.1", 0, serverKeys,
                key -> key.equals(slaveKeys.publicKey()) ? PeerRole.slaveUserId("n1") : null,
                Duration.ofMillis(200), 1 << 20), (peer, message) -> {
                    if (message instanceof Message.Fetch f) {
                        bundles.onFetch(peer.routingId(), f);
                        maxInHands[0] = Math.max(maxInHands[0], bundles.inHands(peer.routingId()));
                    }
                });
        closeables.add(master);
        bundles.connect(master::send, master.counters());
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket slave = dealer(ctx, slaveKeys, master.port());
            // asks and never reads
            slave.setRcvHWM(1);
            for (int i = 0; i < 3_000; i++) {
                slave.send(codec.seal(new Message.Fetch(sha, (long) (i % 4) << 18, 1 << 18)), ZMQ.DONTWAIT);
            }
            await("fetches refused", Duration.ofSeconds(20),
                    () -> master.counters().get(TransportCounters.FETCHES_REFUSED) > 0);
            // and the chunks it was sent fill its queue: it is cut
            await("the deaf slave cut", Duration.ofSeconds(20),
                    () -> master.counters().get(TransportCounters.CONNECTIONS_CUT) > 0);
            assertThat(maxInHands[0]).isLessThanOrEqualTo(BundleServer.CREDIT);
        }
    }

    @Test
    void aTokenHolderEnrollingFreshIdsIsThrottled() throws Exception {
        DataFolder data = new DataFolder(dir);
        Enrollments book = Enrollments.open(data, CurveKeyPair.generate().publicKey(), token.slaveKeys().publicKey());
        MasterEndpoint[] self = new MasterEndpoint[1];
        SlaveGate gate = new SlaveGate(book, new NodeRegistry(3_000), t -> data.write(sdm.api.node.NodeFiles.JOIN_TOKEN, t.text(), true), token, () -> self[0], 1.0, 1_000.0);
        closeables.add(gate);
        List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        self[0] = MasterEndpoint.start(new MasterEndpoint.Config("127.0.0.1", 0, serverKeys, book,
                Duration.ofMillis(200), 1 << 20), (peer, message) -> {
                    if (message instanceof Message.Enroll e) {
                        gate.enroll(peer, e, self[0]);
                    }
                });
        closeables.add(self[0]);
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket joiner = dealer(ctx, token.slaveKeys(), self[0].port());
            for (int i = 0; i < 50; i++) {
                joiner.send(codec.seal(new Message.Enroll("fresh-" + i, "fresh-" + i,
                        CurveKeyPair.generate().publicKey())));
            }
            joiner.setReceiveTimeOut(5_000);
            for (int i = 0; i < 50; i++) {
                byte[] frame = joiner.recv();
                assertThat(frame).as("answer " + i).isNotNull();
                answers.add(codec.decode(frame).getClass().getSimpleName());
            }
        }
        long enrolled = answers.stream().filter("Enrolled"::equals).count();
        // ten seconds' worth at once, and perhaps one more second of it
        assertThat(enrolled).isBetween(10L, 12L);
        assertThat(self[0].counters().get(TransportCounters.ENROLLMENTS_THROTTLED)).isEqualTo(50 - enrolled);
        assertThat(answers).containsOnly("Enrolled", "Refused");
    }

    @Test
    void aRegistrationFloodIsPutOffPastTheRate() throws Exception {
        DataFolder data = new DataFolder(dir);
        Enrollments book = Enrollments.open(data, CurveKeyPair.generate().publicKey(), token.slaveKeys().publicKey());
        MasterEndpoint[] self = new MasterEndpoint[1];
        SlaveGate gate = new SlaveGate(book, new NodeRegistry(3_000), t -> data.write(sdm.api.node.NodeFiles.JOIN_TOKEN, t.text(), true), token, () -> self[0], 10.0, 1.0);
        closeables.add(gate);
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        self[0] = MasterEndpoint.start(new MasterEndpoint.Config("127.0.0.1", 0, serverKeys,
                key -> key.equals(slaveKeys.publicKey()) ? PeerRole.slaveUserId("n1") : null,
                Duration.ofMillis(200), 1 << 20), (peer, message) -> {
                    if (message instanceof Message.Register r && gate.mayRegister(peer, r.nodeId(), self[0])) {
                        taken.incrementAndGet();
                    }
                });
        closeables.add(self[0]);
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket slave = dealer(ctx, slaveKeys, self[0].port());
            for (int i = 0; i < 50; i++) {
                slave.send(codec.seal(new Message.Register("n1", "n1", java.util.Map.of(), "linux", "x86_64", "0")));
            }
            await("every registration taken or put off", Duration.ofSeconds(10), () -> taken.get()
                    + self[0].counters().get(TransportCounters.REGISTRATIONS_THROTTLED) == 50);
        }
        // ten seconds' worth at once, and perhaps one more second of it
        assertThat(taken.get()).isBetween(10, 12);
    }
}
