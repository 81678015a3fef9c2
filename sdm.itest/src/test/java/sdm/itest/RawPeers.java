package sdm.itest;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/** JeroMQ peers that tests drive by hand, outside SDM's own transport code. */
final class RawPeers {

    private RawPeers() {
    }

    /** A DEALER presenting the join token's key to the master at {@code address} (host:port). */
    static ZMQ.Socket admitted(ZContext ctx, JoinToken token, String address) {
        ZMQ.Socket peer = ctx.createSocket(SocketType.DEALER);
        peer.setLinger(0);
        peer.setCurveServerKey(ZMQ.Curve.z85Decode(token.masterPublicKey()));
        peer.setCurvePublicKey(ZMQ.Curve.z85Decode(token.slaveKeys().publicKey()));
        peer.setCurveSecretKey(ZMQ.Curve.z85Decode(token.slaveKeys().secretKey()));
        // JeroMQ 0.6.0 now and then leaves a new connection hanging in its handshake: redial
        peer.setHandshakeIvl(1_000);
        peer.setReconnectIVL(100);
        peer.connect("tcp://" + address);
        return peer;
    }

    /** The next message other than a heartbeat (the master beats every slave-role peer it hears from). */
    static Message nextNotHeartbeat(ZMQ.Socket peer, MessageCodec codec) throws Exception {
        while (true) {
            byte[] frame = peer.recv();
            if (frame == null) {
                throw new AssertionError("no message within the receive timeout");
            }
            Message m = codec.decode(frame);
            if (!(m instanceof Message.Heartbeat)) {
                return m;
            }
        }
    }
}
