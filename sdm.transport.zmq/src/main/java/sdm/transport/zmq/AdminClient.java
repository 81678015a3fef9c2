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

    private static final long CONNECT_TIMEOUT_MS = 5_000;
    /** Connections closed on us before any answer, taken as a refusal of our key. */
    private static final int CLOSES_MEANING_REFUSAL = 3;
    private static final int EVENTS = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

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
            dealer.monitor("inproc://sdm-admin-monitor", EVENTS);
            monitor.connect("inproc://sdm-admin-monitor");
            dealer.connect("tcp://" + masterAddress);

            String requestId = UUID.randomUUID().toString();
            byte[] request = codec.encode(new Message.AdminRequest(requestId, command, json));
            boolean sent = false;

            ZMQ.Poller poller = context.createPoller(2);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            poller.register(monitor, ZMQ.Poller.POLLIN);
            Progress progress = new Progress(masterAddress, replyTimeout);
            while (true) {
                // never a blocking send: JeroMQ can hold it forever while the master refuses us
                if (!sent) {
                    sent = dealer.send(request, ZMQ.DONTWAIT);
                }
                poller.poll(sent ? progress.waitMs() : Math.min(10, progress.waitMs()));
                if (poller.pollin(1)) {
                    ZMQ.Event event;
                    while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
                        progress.on(event.getEvent());
                    }
                }
                byte[] frame;
                while (poller.pollin(0) && (frame = dealer.recv(ZMQ.DONTWAIT)) != null) {
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

    /**
     * Where the exchange stands, from the socket's events. JeroMQ reports the TCP connection,
     * not the end of the handshake: the reply timeout runs from the connection. A refused key
     * comes as a handshake failure or, when the master closes first, as repeated closes.
     */
    private static final class Progress {
        private final String address;
        private final Duration replyTimeout;
        private long deadline = System.currentTimeMillis() + CONNECT_TIMEOUT_MS;
        private boolean connected;
        private int closes;

        Progress(String address, Duration replyTimeout) {
            this.address = address;
            this.replyTimeout = replyTimeout;
        }

        void on(int event) throws TransportException {
            if (event == ZMQ.EVENT_CONNECTED && !connected) {
                connected = true;
                deadline = System.currentTimeMillis() + replyTimeout.toMillis();
            } else if (event == ZMQ.EVENT_DISCONNECTED && ++closes >= CLOSES_MEANING_REFUSAL
                    || event == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                    || event == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                    || event == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
                throw new TransportException("master at " + address
                        + " refused the admin key (is this the admin.key of that master?)");
            }
        }

        long waitMs() throws TransportException {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new TransportException(connected
                        ? "master at " + address + " gave no answer within " + replyTimeout.toSeconds() + " s"
                        : "cannot reach master at " + address + " (nothing answers there)");
            }
            return left;
        }
    }
}
