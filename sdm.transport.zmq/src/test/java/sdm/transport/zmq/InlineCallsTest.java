package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls that the node runs on the link's own thread, over real sockets on 127.0.0.1: a short
 * one is answered from there, and a long one does not stall the link (another thread takes
 * over: heartbeats go on, other calls are answered).
 */
class InlineCallsTest {

    private static final long HEARTBEAT_MS = 100;

    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final JoinToken token = JoinToken.create(serverKeys.publicKey());
    private final Map<String, String> enrolled = new ConcurrentHashMap<>();
    private final Map<String, Message.CallResult> results = new ConcurrentHashMap<>();
    private final List<Long> heartbeatsAtMs = new CopyOnWriteArrayList<>();
    private final Map<String, String> ranOn = new ConcurrentHashMap<>();
    private final AtomicInteger disconnections = new AtomicInteger();
    private volatile String slave;
    private MasterEndpoint master;
    private SlaveLink link;

    @AfterEach
    void close() {
        if (link != null) {
            link.close();
        }
        if (master != null) {
            master.close();
        }
    }

    private void start() throws Exception {
        MasterEndpoint[] self = new MasterEndpoint[1];
        Admission admission = key -> key.equals(token.slaveKeys().publicKey()) ? PeerRole.JOINER.userId()
                : enrolled.containsKey(key) ? PeerRole.slaveUserId(enrolled.get(key)) : null;
        master = MasterEndpoint.start(new MasterEndpoint.Config("127.0.0.1", 0, serverKeys, admission,
                Duration.ofMillis(HEARTBEAT_MS), 1 << 20), (peer, message) -> {
                    switch (message) {
                        case Message.Enroll e -> {
                            enrolled.put(e.publicKey(), e.nodeId());
                            self[0].send(peer.routingId(), new Message.Enrolled(e.nodeId(), false));
                        }
                        case Message.Register r -> {
                            slave = peer.routingId();
                            self[0].send(peer.routingId(), new Message.Welcome("m", HEARTBEAT_MS, 6 * HEARTBEAT_MS));
                        }
                        case Message.Heartbeat h -> heartbeatsAtMs.add(System.currentTimeMillis());
                        case Message.CallResult r -> results.put(r.callId(), r);
                        default -> { }
                    }
                });
        self[0] = master;
        link = new SlaveLink(new SlaveLink.Config(List.of("127.0.0.1:" + master.port()), token, CurveKeyPair.generate(), false,
                () -> new Message.Register("n1", "n1", Map.of(), "linux", "x86_64", "test"),
                Duration.ofMillis(HEARTBEAT_MS), Duration.ofMillis(6 * HEARTBEAT_MS), Duration.ofMillis(100),
                Duration.ofMillis(400)), new SlaveLinkListener() {
                    @Override
                    public Message.CallResult callInline(Message.Call call) {
                        ranOn.put(call.callId(), Thread.currentThread().getName());
                        if (call.function().equals("stuck")) {
                            sleep(1_500);
                        }
                        return new Message.CallResult(call.callId(), true, call.function(), "");
                    }

                    @Override
                    public void onDisconnected(String reason) {
                        disconnections.incrementAndGet();
                    }
                });
        await("the slave online", () -> link.connected() && slave != null);
    }

    private void call(String id, String function) {
        master.send(slave, new Message.Call(id, "p", function, List.of(), 10_000));
    }

    @Test
    void aShortCallIsAnsweredFromTheLinksThread() throws Exception {
        start();
        call("c1", "quick");
        await("the answer", () -> results.containsKey("c1"));
        assertThat(results.get("c1").value()).isEqualTo("quick");
        assertThat(ranOn.get("c1")).startsWith("sdm-slave-link-");
    }

    @Test
    void aLongCallHandsTheLinkToAnotherThreadAndHeartbeatsGoOn() throws Exception {
        start();
        call("warm", "quick");
        await("the first answer", () -> results.containsKey("warm"));
        long start = System.currentTimeMillis();
        call("long", "stuck");
        await("the long call running", () -> ranOn.containsKey("long"));
        // well after the standby's two looks (2 x 200 ms), while the call still runs
        await("the standby serving", () -> System.currentTimeMillis() - start > 700);
        call("meanwhile", "quick");
        await("an answer while the long call runs", () -> results.containsKey("meanwhile"));
        assertThat(results).doesNotContainKey("long");
        assertThat(ranOn.get("meanwhile")).isNotEqualTo(ranOn.get("long"));
        await("the long call's answer", () -> results.containsKey("long"));
        long end = System.currentTimeMillis();
        assertThat(end - start).isGreaterThanOrEqualTo(1_500);
        List<Long> during = heartbeatsAtMs.stream().filter(t -> t > start + 500 && t < start + 1_500).toList();
        assertThat(during).as("heartbeats while the call ran").hasSizeGreaterThanOrEqualTo(4);
        assertThat(disconnections.get()).isZero();
        assertThat(link.connected()).isTrue();
        call("after", "quick");
        await("an answer after", () -> results.containsKey("after"));
        assertThat(link.counters().get(TransportCounters.LINK_TAKEOVERS)).isEqualTo(1);
        assertThat(link.counters().get(TransportCounters.CALLS_INLINE)).isEqualTo(4);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
