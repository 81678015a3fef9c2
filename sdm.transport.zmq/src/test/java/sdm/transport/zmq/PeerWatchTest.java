package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

/** The watch's clock, on a real loopback connection: what counts as a peer's silence. */
class PeerWatchTest {

    private final TransportCounters counters = new TransportCounters();
    private final PeerWatch watch = new PeerWatch(new PeerLimits(10, 10, 60_000, 2_000), counters);

    @Test
    void aTimeTheMasterWasFrozenIsNotThePeersSilence() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            watch.consume(new zmq.ZMQ.Event(zmq.ZMQ.ZMQ_EVENT_ACCEPTED, "tcp://127.0.0.1", accepted));
            long t0 = PeerWatch.nowMs();
            watch.heard(PeerWatch.addressOf(accepted), PeerRole.SLAVE, t0);
            assertThat(watch.open()).containsExactly(1, 0);
            watch.sweep(t0 + 500, 2_000);
            // frozen for half a minute: on waking, the peer has been silent 1.5 s of the watch's time
            watch.sweep(t0 + 30_000, 2_000);
            assertThat(counters.get(TransportCounters.CONNECTIONS_CUT)).isZero();
            watch.sweep(t0 + 30_600, 2_000);
            assertThat(counters.get(TransportCounters.CONNECTIONS_CUT)).isEqualTo(1);
            assertThat(accepted.read(ByteBuffer.allocate(1))).as("input shut").isEqualTo(-1);
            watch.consume(new zmq.ZMQ.Event(zmq.ZMQ.ZMQ_EVENT_DISCONNECTED, "tcp://127.0.0.1", accepted));
            assertThat(watch.open()).containsExactly(0, 0);
        }
    }
}
