package sdm.transport.zmq;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private static final long HANDSHAKE_MS = 1_000;
    /** Bytes in one upload chunk. */
    private static final int CHUNK = 256 << 10;
    /** Upload chunks sent ahead of the master's acknowledgements. */
    private static final int WINDOW = 8;
    /** Connections closed on us before any answer, taken as a refusal of our key. */
    private static final int CLOSES_MEANING_REFUSAL = 3;
    private static final int EVENTS = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_CONNECT_RETRIED
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
        return execute(masterAddress, masterPublicKey, adminKeys, command, json, replyTimeout, Map.of());
    }

    /**
     * Sends the command and waits for its reply, after uploading local files: for each entry of
     * {@code uploads}, the file is sent to the master first (in chunks, at most
     * {@value #WINDOW} unacknowledged), and the master puts its copy's path in place of that
     * argument.
     *
     * @param uploads index of an argument of {@code command} to the local file it names
     */
    public static Message.AdminReply execute(String masterAddress, String masterPublicKey, CurveKeyPair adminKeys,
            List<String> command, boolean json, Duration replyTimeout, Map<Integer, Path> uploads)
            throws TransportException {
        return execute(masterAddress, masterPublicKey, adminKeys, command, json, replyTimeout, uploads, false);
    }

    /**
     * As {@link #execute(String, String, CurveKeyPair, List, boolean, Duration, Map)}; a master that
     * does not lead is a {@link NotLeaderAnswer}, and with {@code unreachableFast} a master that
     * no one answers for fails at the first refused dial rather than after the connect timeout,
     * and one that does not finish the handshake (frozen) at the first handshake timeout.
     */
    static Message.AdminReply execute(String masterAddress, String masterPublicKey, CurveKeyPair adminKeys,
            List<String> command, boolean json, Duration replyTimeout, Map<Integer, Path> uploads,
            boolean unreachableFast) throws TransportException {
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
            dealer.setHandshakeIvl((int) HANDSHAKE_MS);
            dealer.setReconnectIVL(100);
            dealer.setMaxMsgSize(64L << 20);
            dealer.monitor("inproc://sdm-admin-monitor", EVENTS);
            monitor.connect("inproc://sdm-admin-monitor");
            dealer.connect("tcp://" + masterAddress);
            Exchange exchange = new Exchange(dealer, monitor, codec, context,
                    new Progress(masterAddress, replyTimeout, unreachableFast));

            Map<Integer, String> uploadIds = new HashMap<>();
            for (Map.Entry<Integer, Path> u : new TreeMap<>(uploads).entrySet()) {
                uploadIds.put(u.getKey(), exchange.upload(u.getValue()));
            }
            String requestId = UUID.randomUUID().toString();
            exchange.send(new Message.AdminRequest(requestId, command, json, uploadIds));
            while (true) {
                if (exchange.next() instanceof Message.AdminReply reply && requestId.equals(reply.requestId())) {
                    return reply;
                }
            }
        }
    }

    /** The socket's side of one conversation with the master. */
    private static final class Exchange {
        private final ZMQ.Socket dealer;
        private final ZMQ.Socket monitor;
        private final MessageCodec codec;
        private final ZMQ.Poller poller;
        private final Progress progress;

        Exchange(ZMQ.Socket dealer, ZMQ.Socket monitor, MessageCodec codec, ZContext context, Progress progress) {
            this.dealer = dealer;
            this.monitor = monitor;
            this.codec = codec;
            this.progress = progress;
            this.poller = context.createPoller(2);
            poller.register(dealer, ZMQ.Poller.POLLIN);
            poller.register(monitor, ZMQ.Poller.POLLIN);
        }

        /** Queues one message, never blocking: JeroMQ can hold a blocking send forever while the master refuses us. */
        void send(Message m) throws TransportException {
            byte[] header = codec.seal(m);
            byte[] data = m instanceof Message.WithData w ? w.data() : null;
            while (true) {
                boolean sent = data == null ? dealer.send(header, ZMQ.DONTWAIT)
                        : dealer.send(header, ZMQ.SNDMORE | ZMQ.DONTWAIT) && dealer.send(data, 0);
                if (sent) {
                    return;
                }
                poll(Math.min(10, progress.waitMs()));
            }
        }

        /** The next message from the master. */
        Message next() throws TransportException {
            while (true) {
                byte[] frame = dealer.recv(ZMQ.DONTWAIT);
                if (frame != null) {
                    while (dealer.hasReceiveMore()) {
                        dealer.recv(0);
                    }
                    Message m;
                    try {
                        m = codec.decode(frame);
                    } catch (InvalidMessageException e) {
                        throw new TransportException("master at " + progress.address + " sent an unreadable reply: "
                                + e.getMessage());
                    }
                    if (m instanceof Message.NotLeader n) {
                        throw new NotLeaderAnswer(progress.address, n.leader());
                    }
                    return m;
                }
                poll(progress.waitMs());
            }
        }

        private void poll(long ms) throws TransportException {
            poller.poll(ms);
            if (poller.pollin(1)) {
                ZMQ.Event event;
                while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
                    progress.on(event.getEvent());
                }
            }
        }

        /** Sends a file in chunks, keeping a window of unacknowledged ones; returns its upload id. */
        String upload(Path file) throws TransportException {
            String id = UUID.randomUUID().toString();
            String name = String.valueOf(file.getFileName());
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = in.size();
                long sent = 0;
                long acked = 0;
                boolean first = true;
                while (first || acked < size) {
                    while ((first || sent < size) && sent - acked < (long) WINDOW * CHUNK) {
                        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, size - sent));
                        while (buffer.hasRemaining() && in.read(buffer, sent + buffer.position()) >= 0) {
                            // a positional read may return less than asked
                        }
                        send(new Message.Upload(id, name, sent, size, buffer.array()));
                        sent += buffer.capacity();
                        first = false;
                    }
                    if (next() instanceof Message.UploadAck ack && id.equals(ack.uploadId())) {
                        if (ack.error() != null && !ack.error().isEmpty()) {
                            throw new TransportException("master refused " + name + ": " + ack.error());
                        }
                        acked = ack.received();
                        // the reply timeout counts from the last sign of progress, not from the connection
                        progress.moved();
                    }
                }
                return id;
            } catch (IOException e) {
                throw new TransportException("cannot read " + file + ": " + e.getMessage());
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
        private final boolean unreachableFast;
        private long deadline;
        private boolean connected;
        private long connectedAt;
        private int handshakeTimeouts;
        private int closes;

        Progress(String address, Duration replyTimeout, boolean unreachableFast) {
            this.address = address;
            this.replyTimeout = replyTimeout;
            this.unreachableFast = unreachableFast;
            // of several masters, one cut off from the network is passed over sooner
            this.deadline = System.currentTimeMillis() + (unreachableFast ? CONNECT_TIMEOUT_MS / 2 : CONNECT_TIMEOUT_MS);
        }

        void on(int event) throws TransportException {
            if (event == ZMQ.EVENT_CONNECT_RETRIED && unreachableFast && !connected) {
                throw new TransportException("cannot reach master at " + address + " (nothing answers there)");
            }
            if (event == ZMQ.EVENT_CONNECTED) {
                connectedAt = System.currentTimeMillis();
            }
            // a frozen master's kernel accepts the connection, and the handshake times out: of
            // several masters, try the next one after the second time (a busy one, just elected,
            // may miss one)
            if (event == ZMQ.EVENT_DISCONNECTED && unreachableFast
                    && System.currentTimeMillis() - connectedAt >= HANDSHAKE_MS * 9 / 10 && ++handshakeTimeouts >= 2) {
                throw new TransportException("master at " + address + " does not answer (no handshake within "
                        + HANDSHAKE_MS + " ms, twice)");
            }
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

        void moved() {
            deadline = System.currentTimeMillis() + replyTimeout.toMillis();
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
