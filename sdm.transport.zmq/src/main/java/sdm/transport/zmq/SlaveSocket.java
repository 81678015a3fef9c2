package sdm.transport.zmq;

import org.zeromq.ZMQ;

/** The options of a slave's DEALER to its master. */
final class SlaveSocket {

    private SlaveSocket() {
    }

    /**
     * CURVE with the master's key pinned and {@code own} presented; TCP-level reconnection that
     * starts fast and backs off to {@code maxBackoffMs} (losing the master, silence past
     * liveness, replaces the socket with the link's slower back-off); a handshake left hanging
     * given up after {@code handshakeLimitMs}, since JeroMQ 0.6.0 now and then leaves a new
     * connection hanging before its handshake ends (see AdminClient).
     */
    static void configure(ZMQ.Socket dealer, String masterPublicKey, CurveKeyPair own, long maxBackoffMs,
            long maxMessageBytes, long handshakeLimitMs) {
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
    }
}
