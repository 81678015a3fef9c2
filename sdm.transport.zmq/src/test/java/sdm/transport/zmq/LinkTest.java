package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real JeroMQ sockets on 127.0.0.1: a master endpoint and slave links in one JVM. */
class LinkTest {

    private final CurveKeyPair serverKeys = CurveKeyPair.generate();
    private final JoinToken token = JoinToken.create(serverKeys.publicKey());
    private final CurveKeyPair adminKeys = CurveKeyPair.generate();
    private final Map<String, Message.Register> registered = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private MasterEndpoint master;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    private MasterEndpoint startMaster() throws TransportException {
        MasterEndpoint[] self = new MasterEndpoint[1];
        master = MasterEndpoint.start(new MasterEndpoint.Config("127.0.0.1", 0, serverKeys,
                token.slaveKeys().publicKey(), adminKeys.publicKey(), Duration.ofMillis(200), 1 << 20),
                (peer, message) -> {
                    if (message instanceof Message.Register r) {
                        registered.put(r.nodeId(), r);
                        self[0].send(peer.routingId(), new Message.Welcome("m", 200, 600));
                    } else if (message instanceof Message.AdminRequest a) {
                        self[0].send(peer.routingId(), new Message.AdminReply(a.requestId(), true,
                                "ran " + a.command(), ""));
                    }
                });
        self[0] = master;
        closeables.add(master);
        return master;
    }

    private SlaveLink link(String id, JoinToken joinWith) {
        SlaveLink link = new SlaveLink(new SlaveLink.Config("127.0.0.1:" + master.port(), joinWith,
                () -> new Message.Register(id, id, Map.of(), "linux", "x86_64", "test"),
                Duration.ofMillis(200), Duration.ofMillis(600), Duration.ofMillis(100), Duration.ofMillis(400)),
                new SlaveLink.Listener() { });
        closeables.add(link);
        return link;
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void slavesWithTheTokenJoinAtOnce() throws Exception {
        startMaster();
        long start = System.nanoTime();
        List<SlaveLink> links = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            links.add(link("n" + i, token));
        }
        await("5 slaves welcomed", Duration.ofSeconds(10), () -> links.stream().allMatch(SlaveLink::connected));
        // one heartbeat round, no reconnection: a join takes well under the liveness timeout
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(600 * 3));
        assertThat(registered).containsOnlyKeys("n0", "n1", "n2", "n3", "n4");
    }

    @Test
    void debugSequential() throws Exception {
        startMaster();
        for (int i = 0; i < 6; i++) {
            long start = System.nanoTime();
            SlaveLink l = link("s" + i, token);
            await("welcome", Duration.ofSeconds(10), l::connected);
            System.out.println("DEBUG link " + i + " connected after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            Thread.sleep(300);
        }
    }
}
