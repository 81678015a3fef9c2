package sdm.transport.zmq;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import sdm.api.node.MonotonicClock;
import sdm.api.node.ThrottledLog;

/**
 * A slave's link to its master: a CURVE DEALER that pins the master's key (from the join
 * token). A slave not yet enrolled presents the join token's key and asks the master to enroll
 * its own key ({@link Message.Enroll}); from then on it presents its own key, which the master
 * binds to its node id. Paranoid Pirate: the slave registers on every new connection,
 * heartbeats, counts any traffic from the master as a sign of life, and when the master is
 * silent past the liveness timeout it drops the socket and reconnects with exponential
 * back-off. A master that refuses its own key at the handshake (its book of keys lost, say) is
 * asked to enroll it again. One thread owns the socket; {@link #send} may be called from any.
 */
public final class SlaveLink implements AutoCloseable {

    /**
     * @param masterAddress {@code host:port} of the master
     * @param token         the join token (pins the master, gives the key to enroll with)
     * @param ownKeys       this slave's own key pair
     * @param enrolled      whether the master enrolled {@code ownKeys} already
     * @param registration  what to say in each {@link Message.Register}, asked anew each time
     * @param heartbeat     interval of heartbeats
     * @param liveness      silence after which the master is taken as lost
     * @param minBackoff    first reconnection delay, doubled on each failure
     * @param maxBackoff    longest reconnection delay
     */
    public record Config(String masterAddress, JoinToken token, CurveKeyPair ownKeys, boolean enrolled,
            Supplier<Message.Register> registration, Duration heartbeat, Duration liveness, Duration minBackoff,
            Duration maxBackoff) {
    }

    private static final Logger LOG = Logger.getLogger("sdm.transport");
    /**
     * Connections closed soon after they opened and before the welcome, taken as a refusal when
     * no failure event came. "Soon" is what tells a refusal from a master that is frozen or busy,
     * whose connections close only when the handshake interval runs out.
     */
    private static final int CLOSES_MEANING_REFUSAL = 3;
    /** A call with less than this left of its timeout when it arrives is dropped unrun. */
    static final long CALL_MARGIN_MS = 50;
    private static final int MONITORED = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_CONNECT_RETRIED | ZMQ.EVENT_DISCONNECTED
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

    private final Config config;
    private final SlaveLinkListener listener;
    private final MessageCodec codec = new MessageCodec();
    private final TransportCounters counters = new TransportCounters();
    /** The master's clock against ours, measured anew in each session (the master may have changed). Link thread only. */
    private PeerClock masterClock = new PeerClock();
    private final ThrottledLog expiredLog = new ThrottledLog(LOG, 5, 10_000);
    private final ThrottledLog refusedLog = new ThrottledLog(LOG, 3, 60_000);
    /** Whether the master knows this slave's own key; the link thread's, read by {@link #enrolled()}. */
    private volatile boolean enrolled;
    /** The session whose socket is open, or null between sessions. */
    private volatile Session current;
    private final Outbox<Message> outbox = new Outbox<>(() -> {
        Session s = current;
        if (s != null) {
            s.socket.wake();
        }
    });
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean connected;

    public SlaveLink(Config config, SlaveLinkListener listener) {
        this.config = config;
        this.listener = listener;
        this.enrolled = config.enrolled();
        this.thread = Thread.ofPlatform().name("sdm-slave-link").start(this::run);
    }

    /** Whether the master has welcomed this node and has not gone silent since. */
    public boolean connected() {
        return connected;
    }

    public TransportCounters counters() {
        return counters;
    }

    /** Whether this slave connects with its own key (false while it still has to enroll it). */
    public boolean enrolled() {
        return enrolled;
    }

    /**
     * Sends a message to the master, from any thread, without waiting: at once when the socket
     * is free and nothing sent earlier still waits, otherwise through the link's thread.
     */
    public void send(Message message) {
        Session s = current;
        if (s != null && outbox.isEmpty()) {
            byte[] frame = codec.seal(message);
            if (s.socket.tryUse(d -> s.sendFrame(d, frame), false)) {
                return;
            }
        }
        outbox.offer(message);
    }

    /**
     * The link's one thread: session after session until closed. Nothing that goes wrong in a
     * session may end it (a slave whose link thread died would never see its master again), so
     * every failure is logged and followed by a new session after the back-off.
     */
    private void run() {
        long backoff = config.minBackoff().toMillis();
        while (running) {
            Session session = null;
            try {
                // inside the try: a socket that cannot be made now (file descriptors, say) must not end the link
                session = new Session();
                session.serve();
            } catch (ZMQException e) {
                // for example a master host name that does not resolve (yet): retry with back-off
                LOG.warning("cannot connect to master " + config.masterAddress() + ": " + e.getMessage());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                if (running) {
                    LOG.log(Level.SEVERE, "link to master " + config.masterAddress() + " failed", e);
                }
            } finally {
                if (session != null) {
                    end(session);
                }
            }
            if (!running) {
                break;
            }
            if (session != null && (session.welcomed || session.switchedKeys)) {
                backoff = config.minBackoff().toMillis();
            }
            LOG.info("reconnecting to master " + config.masterAddress() + " in " + backoff + " ms");
            sleepUnlessClosed(backoff);
            backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
        }
    }

    private void end(Session session) {
        try {
            session.lost("the link to master " + config.masterAddress() + " was reset");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "telling the node its master is gone failed", e);
        }
        try {
            session.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the link's sockets failed", e);
        }
    }

    private void sleepUnlessClosed(long ms) {
        long until = System.currentTimeMillis() + ms;
        while (running && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One socket's life: from connect until the master is silent past liveness. */
    private final class Session {
        /** A context of its own: an I/O thread one handshake left hanging must not hang the next sessions. */
        private final ZContext context = new ZContext(1);
        private final ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        private final ZMQ.Socket monitor = context.createSocket(SocketType.PAIR);
        private SharedSocket socket;
        /** This session presents the join key to enroll the slave's own key. */
        private final boolean enrolling = !enrolled;
        /** Enrolled, or refused with its own key: the next session presents the other key. */
        private boolean switchedKeys;
        private boolean welcomed;
        private long heartbeatMs = config.heartbeat().toMillis();
        private long livenessMs = config.liveness().toMillis();
        private boolean refusalLogged;
        private int closesBeforeWelcome;
        private long connectedAtMs;
        private final long handshakeMs = Math.max(1_000, config.liveness().toMillis() / 2);
        private boolean retryLogged;

        Session() {
            CurveKeyPair own = enrolling ? config.token().slaveKeys() : config.ownKeys();
            context.setLinger(0);
            dealer.setLinger(0);
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(config.token().masterPublicKey()));
            dealer.setCurvePublicKey(own.publicBytes());
            dealer.setCurveSecretKey(own.secretBytes());
            // TCP-level reconnection starts fast and backs off to the same ceiling; losing the
            // master (silence past liveness) replaces the socket with the slower back-off below.
            dealer.setReconnectIVL(100);
            dealer.setReconnectIVLMax(config.maxBackoff().toMillis());
            dealer.setMaxMsgSize(4L * codec.maxBytes());
            dealer.setSndHWM(10_000);
            dealer.setImmediate(true);
            // JeroMQ 0.6.0 now and then leaves a new connection hanging before its handshake
            // ends; give up on it early and let the socket reconnect (see AdminClient).
            dealer.setHandshakeIvl((int) handshakeMs);
            // a context of the session's own: one name for its monitor serves every session
            dealer.monitor("inproc://sdm-slave-monitor", MONITORED);
            monitor.connect("inproc://sdm-slave-monitor");
            socket = new SharedSocket(dealer, monitor);
        }

        void serve() {
            masterClock = new PeerClock();
            dealer.connect("tcp://" + config.masterAddress());
            current = this;
            long silenceSince = System.currentTimeMillis();
            long nextHeartbeat = silenceSince;
            while (running && !switchedKeys) {
                socket.await(Math.max(0, nextHeartbeat - System.currentTimeMillis()));
                if (receiveAll()) {
                    silenceSince = System.currentTimeMillis();
                }
                readEvents();
                socket.use(d -> {
                    outbox.drain(m -> sendFrame(d, codec.seal(m)));
                    return null;
                }, null);
                long now = System.currentTimeMillis();
                if (now >= nextHeartbeat) {
                    // until welcomed, each beat is a registration (or an enrollment): nothing waits in a queue
                    send(enrolling ? enrollment() : welcomed ? new Message.Heartbeat() : registration());
                    nextHeartbeat = now + heartbeatMs;
                }
                // before the welcome, leave JeroMQ time to drop a hung handshake and redial
                long allowed = welcomed ? livenessMs : 2 * livenessMs;
                if (now - silenceSince > allowed) {
                    lost("master " + config.masterAddress() + " silent for " + (now - silenceSince) + " ms");
                    return;
                }
            }
        }

        private Message.Register registration() {
            return config.registration().get();
        }

        private Message.Enroll enrollment() {
            Message.Register r = registration();
            return new Message.Enroll(r.nodeId(), r.name(), config.ownKeys().publicKey());
        }

        /** One message as read: its first frame, its second (or null), and how many frames it had. */
        private record Frames(byte[] frame, byte[] data, int count) {
        }

        private static Frames read(ZMQ.Socket d) {
            byte[] frame = d.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return null;
            }
            byte[] data = null;
            int frames = 1;
            while (d.hasReceiveMore()) {
                byte[] part = d.recv(0);
                if (++frames == 2) {
                    data = part;
                }
            }
            return new Frames(frame, data, frames);
        }

        /** Reads every waiting frame; true if any came from the master. */
        private boolean receiveAll() {
            boolean heard = false;
            Frames read;
            while ((read = socket.use(Session::read, null)) != null) {
                byte[] frame = read.frame();
                byte[] data = read.data();
                int frames = read.count();
                heard = true;
                counters.increment(TransportCounters.MESSAGES_IN);
                MessageCodec.Received in;
                try {
                    if (frames > 2) {
                        throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                                frames + " frames, expected 1 or 2");
                    }
                    in = codec.open(frame, data);
                } catch (InvalidMessageException e) {
                    counters.dropped(e.reason());
                    LOG.warning("dropped a message from the master: " + e.getMessage());
                    continue;
                }
                long now = MonotonicClock.nowMs();
                boolean expired = Expiry.expired(in, masterClock, now);
                masterClock.sample(in.sentMs(), now);
                Message m = in.message();
                if (!expired && m instanceof Message.Call && in.expiresMs() != 0 && masterClock.measured()
                        && in.expiresMs() - masterClock.senderNow(now) < CALL_MARGIN_MS) {
                    // its answer could not reach the caller in time: running it would only surprise
                    expired = true;
                }
                if (expired) {
                    counters.increment(TransportCounters.DROPPED_EXPIRED);
                    expiredLog.warn("dropped an expired " + m.getClass().getSimpleName() + " from the master");
                    continue;
                }
                if (m instanceof Message.Call c && in.expiresMs() != 0) {
                    // what is left of the caller's timeout, on our clock: the call is dropped unrun after it
                    long left = Math.max(1, in.expiresMs() - masterClock.senderNow(now));
                    m = new Message.Call(c.callId(), c.program(), c.function(), c.args(), Math.min(c.timeoutMs(), left));
                }
                switch (m) {
                    case Message.Heartbeat h -> { }
                    case Message.Enrolled e -> {
                        if (enrolling && !switchedKeys) { // one answer per enrollment sent: the first counts
                            LOG.info("enrolled with master " + config.masterAddress() + " as " + e.nodeId()
                                    + "; connecting with this node's own key");
                            enrolled = true;
                            switchedKeys = true;
                            listener.onEnrolled(e.nodeId());
                        }
                    }
                    case Message.Refused r -> {
                        refusedLog.warn("master " + config.masterAddress() + " refused this node: " + r.reason());
                        listener.onRefused(r.reason());
                    }
                    case Message.Reregister r -> send(registration());
                    case Message.Welcome w -> {
                        if (!welcomed) {
                            LOG.info("joined master " + w.masterId() + " at " + config.masterAddress());
                        }
                        welcomed = true;
                        connected = true;
                        // the master's timing wins, so both ends agree on when a peer is lost
                        if (w.heartbeatMs() > 0 && w.livenessMs() > w.heartbeatMs()) {
                            heartbeatMs = w.heartbeatMs();
                            livenessMs = w.livenessMs();
                        }
                        listener.onConnected(w);
                    }
                    default -> listener.onMessage(m);
                }
            }
            return heard;
        }

        private void readEvents() {
            ZMQ.Event event;
            while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
                int e = event.getEvent();
                long now = System.currentTimeMillis();
                if (e == ZMQ.EVENT_CONNECTED) {
                    connectedAtMs = now;
                }
                boolean closedEarly = e == ZMQ.EVENT_DISCONNECTED && !welcomed && now - connectedAtMs < handshakeMs / 2
                        && ++closesBeforeWelcome >= CLOSES_MEANING_REFUSAL;
                if (closedEarly || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                        || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                        || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
                    if (!enrolling) {
                        // the master does not know this key (any more): enroll it again with the token
                        LOG.warning("master " + config.masterAddress() + " refused this node's key; enrolling it again");
                        enrolled = false;
                        switchedKeys = true;
                    } else if (!refusalLogged) {
                        refusalLogged = true;
                        LOG.severe("master " + config.masterAddress()
                                + " refused the handshake: wrong join token, or another master at that address");
                    }
                } else if (e == ZMQ.EVENT_CONNECT_RETRIED) {
                    if (!retryLogged) {
                        retryLogged = true;
                        LOG.warning("cannot reach master " + config.masterAddress() + "; retrying");
                    }
                } else if (e == ZMQ.EVENT_DISCONNECTED && connected) {
                    LOG.info("connection to master " + config.masterAddress() + " closed");
                }
            }
        }

        private void lost(String reason) {
            if (connected) {
                connected = false;
                LOG.warning("lost master: " + reason);
                listener.onDisconnected(reason);
            }
        }

        private void send(Message m) {
            byte[] frame = codec.seal(m);
            socket.use(d -> sendFrame(d, frame), false);
        }

        /** With the socket held. */
        private boolean sendFrame(ZMQ.Socket d, byte[] frame) {
            try {
                if (d.send(frame, ZMQ.DONTWAIT)) {
                    counters.increment(TransportCounters.MESSAGES_OUT);
                }
            } catch (ZMQException e) {
                // queue full or socket closing: heartbeats and registrations are sent again anyway
            }
            return true;
        }

        void close() {
            if (current == this) {
                current = null;
            }
            socket.close();
            context.destroySocket(dealer);
            context.destroySocket(monitor);
            context.close();
        }
    }

    @Override
    public void close() {
        running = false;
        Session s = current;
        if (s != null) {
            s.socket.wake();
        }
        SocketThread.join(thread, 5_000);
    }
}
