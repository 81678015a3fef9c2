package sdm.itest;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/** JeroMQ peers that tests drive by hand, outside SDM's own transport code. */
final class RawPeers {

    private RawPeers() {
    }

    /** A DEALER presenting the join token's key to the master at {@code address} (host:port): it may only enroll. */
    static ZMQ.Socket admitted(ZContext ctx, JoinToken token, String address) {
        return dealer(ctx, token, token.slaveKeys(), address);
    }

    /**
     * A DEALER presenting {@code own}, a key it enrolled as {@code nodeId} with the join token
     * first, as a slave does: the master takes its messages as that node's.
     */
    static ZMQ.Socket enrolled(ZContext ctx, JoinToken token, String address, String nodeId, CurveKeyPair own)
            throws Exception {
        ZMQ.Socket joiner = admitted(ctx, token, address);
        joiner.setReceiveTimeOut(10_000);
        MessageCodec codec = new MessageCodec();
        joiner.send(codec.encode(new Message.Enroll(nodeId, nodeId, own.publicKey())));
        Message answer = nextNotHeartbeat(joiner, codec);
        ctx.destroySocket(joiner);
        if (!(answer instanceof Message.Enrolled)) {
            throw new AssertionError("enrolling " + nodeId + " was answered with " + answer);
        }
        return dealer(ctx, token, own, address);
    }

    private static ZMQ.Socket dealer(ZContext ctx, JoinToken token, CurveKeyPair keys, String address) {
        ZMQ.Socket peer = ctx.createSocket(SocketType.DEALER);
        peer.setLinger(0);
        peer.setCurveServerKey(ZMQ.Curve.z85Decode(token.masterPublicKey()));
        peer.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
        peer.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
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

    /**
     * Closes a hand-driven peer's context, giving up after {@code timeout}: JeroMQ's teardown can
     * wait forever on a socket that was cut in the middle of a multipart message it sent.
     */
    static void closeWithin(ZContext ctx, java.time.Duration timeout) throws InterruptedException {
        Thread closer = Thread.ofPlatform().daemon().name("raw-peer-close").start(ctx::close);
        closer.join(timeout.toMillis());
    }
}
