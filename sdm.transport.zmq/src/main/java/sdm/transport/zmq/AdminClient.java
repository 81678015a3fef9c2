package sdm.transport.zmq;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Runs one shell command on a master through its endpoint, authenticated by the admin key.
 * Used by {@code bin/sdm client}: fails fast, with a one-line reason, when the master cannot be
 * reached or refuses the key.
 */
public final class AdminClient {

    private AdminClient() {
    }

    /**
     * Sends the command and waits for its reply.
     *
     * @param masterAddress   {@code host:port}
     * @param masterPublicKey Z85 key the master must present
     * @param adminKeys       the admin key pair
     * @param command         the command and its arguments
     * @param json            ask for JSON output
     * @param replyTimeout    how long to wait for the command once connected
     * @return the master's reply (which may report the command's own failure)
     * @throws TransportException if the master cannot be reached, refuses the key or does not answer
     */
    public static Message.AdminReply execute(String masterAddress, String masterPublicKey, CurveKeyPair adminKeys,
            List<String> command, boolean json, Duration replyTimeout) throws TransportException {
        MessageCodec codec = new MessageCodec(64 << 20);
        try (ZContext context = new ZContext(1)) {
            context.setLinger(0);
            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            ZMQ.Socket monitor = context.createSocket(SocketType.PAIR);
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(masterPublicKey));
            dealer.setCurvePublicKey(adminKeys.publicBytes());
            dealer.setCurveSecretKey(adminKeys.secretBytes());
            // JeroMQ 0.6.0 now and then leaves a new connection hanging before its handshake ends
            // (about 1 in 25 here, with or without CURVE). A handshake timeout makes the socket
            // drop it and reconnect; the queued request goes out on the new connection.
            dealer.setHandshakeIvl(1_000);
            dealer.setReconnectIVL(100);
            dealer.setMaxMsgSize(64L << 20);
            dealer.monitor("inproc://sdm-admin-monitor", ZMQ.EVENT_CONNECTED
                    | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                    | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
            monitor.connect("inproc://sdm-admin-monitor");
            dealer.connect("tcp://" + masterAddress);

            String requestId = UUID.randomUUID().toString();
            dealer.send(codec.encode(new Message.AdminRequest(requestId, command, json)), 0);

            ZMQ.Poller poller = context.createPoller(2);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            poller.register(monitor, ZMQ.Poller.POLLIN);
            long start = System.currentTimeMillis();
            long connectDeadline = start + 5_000;
            long replyDeadline = Long.MAX_VALUE;
            while (true) {
                long now = System.currentTimeMillis();
                long deadline = Math.min(connectDeadline, replyDeadline);
                if (now >= deadline) {
                    throw new TransportException(replyDeadline == Long.MAX_VALUE
                            ? "cannot reach master at " + masterAddress + " (nothing answers there)"
                            : "master at " + masterAddress + " gave no answer within " + replyTimeout.toSeconds() + " s");
                }
                poller.poll(deadline - now);
                if (poller.pollin(1)) {
                    ZMQ.Event event;
                    while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
                        int e = event.getEvent();
                        // JeroMQ reports the TCP connection, not the end of the handshake: the reply
                        // timeout runs from there, and a refused key comes as a failure event.
                        if (e == ZMQ.EVENT_CONNECTED && replyDeadline == Long.MAX_VALUE) {
                            connectDeadline = Long.MAX_VALUE;
                            replyDeadline = System.currentTimeMillis() + replyTimeout.toMillis();
                        } else if (e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                                || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
                            throw new TransportException("master at " + masterAddress
                                    + " refused the admin key (is this the admin.key of that master?)");
                        }
                    }
                }
                if (poller.pollin(0)) {
                    byte[] frame = dealer.recv(ZMQ.DONTWAIT);
                    if (frame == null) {
                        continue;
                    }
                    try {
                        if (codec.decode(frame) instanceof Message.AdminReply reply
                                && requestId.equals(reply.requestId())) {
                            return reply;
                        }
                    } catch (InvalidMessageException e) {
                        throw new TransportException("master at " + masterAddress + " sent an unreadable reply: "
                                + e.getMessage());
                    }
                }
            }
        }
    }
}
