package sdm.transport.zmq;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The sockets of one session of a slave's link: a CURVE DEALER to the master, with its monitor,
 * in a JeroMQ context of their own (an I/O thread one handshake left hanging must not hang the
 * next sessions), shared between the link's threads ({@link SharedSocket}).
 */
final class SlaveSocket implements AutoCloseable {

    /** A context of the session's own: one name for its monitor serves every session. */
    private static final String MONITOR = "inproc://sdm-slave-monitor";

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
    private final ZMQ.Socket monitor = context.createSocket(SocketType.PAIR);
    private final SharedSocket shared;

    /**
     * CURVE with the master's key pinned and {@code own} presented; TCP-level reconnection that
     * starts fast and backs off to {@code maxBackoffMs} (losing the master, silence past
     * liveness, replaces the socket with the link's slower back-off); a handshake left hanging
     * given up after {@code handshakeLimitMs}, since JeroMQ 0.6.0 now and then leaves a new
     * connection hanging before its handshake ends (see AdminClient).
     */
    SlaveSocket(String masterPublicKey, CurveKeyPair own, long maxBackoffMs, long maxMessageBytes,
            long handshakeLimitMs) {
        context.setLinger(0);
        dealer.setLinger(0);
        dealer.setCurveServerKey(ZMQ.Curve.z85Decode(masterPublicKey));
        dealer.setCurvePublicKey(own.publicBytes());
        dealer.setCurveSecretKey(own.secretBytes());
        dealer.setReconnectIVL(100);
        dealer.setReconnectIVLMax(maxBackoffMs);
        dealer.setMaxMsgSize(maxMessageBytes);
        dealer.setSndHWM(10_000);
        dealer.setImmediate(true);
        dealer.setHandshakeIvl((int) handshakeLimitMs);
        dealer.monitor(MONITOR, LinkEvents.MONITORED);
        monitor.connect(MONITOR);
        shared = new SharedSocket(dealer, monitor);
    }

    void connect(String address) {
        dealer.connect("tcp://" + address);
    }

    /** The DEALER, for the thread that holds it. */
    SharedSocket shared() {
        return shared;
    }

    /** The connection events of the DEALER; read by the thread that waits on the socket. */
    ZMQ.Socket monitor() {
        return monitor;
    }

    /** Sends {@code frame} without waiting, with the socket held; a frame the queue cannot take is dropped. */
    static boolean send(ZMQ.Socket d, byte[] frame, TransportCounters counters) {
        try {
            if (d.send(frame, ZMQ.DONTWAIT)) {
                counters.increment(TransportCounters.MESSAGES_OUT);
            }
        } catch (ZMQException e) {
            // queue full or socket closing: heartbeats and registrations are sent again anyway
        }
        return true;
    }

    @Override
    public void close() {
        shared.close();
        context.destroySocket(dealer);
        context.destroySocket(monitor);
        context.close();
    }
}
