package sdm.transport.zmq;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.zeromq.ZMQException;

import sdm.api.node.ThrottledLog;

/**
 * A slave's link to its master: a CURVE DEALER that pins the master's key (from the join
 * token). A slave not yet enrolled presents the join token's key and asks the master to enroll
 * its own key ({@link Message.Enroll}); a new key's connection then goes on as its node, and
 * from the next one on the slave presents its own key, which the master binds to its node id.
 * Paranoid Pirate: the slave registers on every new connection, heartbeats, counts any traffic
 * from the master as a sign of life, and when the master is silent past the liveness timeout it
 * drops the socket and reconnects with jittered exponential back-off. A master that refuses its
 * own key at the handshake is asked to enroll it again. One thread at a time serves the socket
 * ({@link LeaderStandby}: a short call runs on it, and a long one does not stall the link);
 * {@link #send} may be called from any thread.
 */
public final class SlaveLink implements AutoCloseable {

    /**
     * @param masters       {@code host:port} of the master, or of each of a machine's replicated masters
     * @param token         the join token (pins the master, gives the key to enroll with)
     * @param ownKeys       this slave's own key pair
     * @param enrolled      whether the master enrolled {@code ownKeys} already
     * @param registration  what to say in each {@link Message.Register}, asked anew each time
     * @param heartbeat     interval of heartbeats
     * @param liveness      silence after which the master is taken as lost
     * @param minBackoff    first reconnection delay, doubled on each failure
     * @param maxBackoff    longest reconnection delay
     * @param threads       makes the link's threads (two at most: see {@link LeaderStandby})
     */
    public record Config(List<String> masters, JoinToken token, CurveKeyPair ownKeys, boolean enrolled,
            Supplier<Message.Register> registration, Duration heartbeat, Duration liveness, Duration minBackoff,
            Duration maxBackoff, ThreadFactory threads) {

        /** With threads named {@code sdm-slave-link-N}. */
        public Config(List<String> masters, JoinToken token, CurveKeyPair ownKeys, boolean enrolled,
                Supplier<Message.Register> registration, Duration heartbeat, Duration liveness, Duration minBackoff,
                Duration maxBackoff) {
            this(masters, token, ownKeys, enrolled, registration, heartbeat, liveness, minBackoff, maxBackoff,
                    Thread.ofPlatform().name("sdm-slave-link-", 0).factory());
        }
    }

    private static final Logger LOG = Logger.getLogger("sdm.transport");
    private static final int MAX_MESSAGES_PER_TURN = 1_000;

    private final Config config;
    private final SlaveLinkListener listener;
    private final MessageCodec codec = new MessageCodec();
    private final TransportCounters counters = new TransportCounters();
    private final FromMaster fromMaster = new FromMaster(codec, counters);
    private final ThrottledLog refusedLog = new ThrottledLog(LOG, 3, 60_000);
    /** Whether the master knows this slave's own key; the link thread's, read by {@link #enrolled()}. */
    private volatile boolean enrolled;
    /** The session whose socket is open, or null between sessions. */
    private volatile Session current;
    private final Outbox<Message> outbox = new Outbox<>(this::wake);
    private final LeaderStandby threads;
    /** The leader's. */
    private final Reconnection reconnection;
    private volatile boolean running = true;
    private volatile boolean connected;
    /** The leader's. */
    private final MasterList masters;

    public SlaveLink(Config config, SlaveLinkListener listener) {
        this.config = config;
        this.masters = new MasterList(config.masters());
        this.listener = listener;
        this.enrolled = config.enrolled();
        this.reconnection = new Reconnection(config.minBackoff().toMillis(), config.maxBackoff().toMillis());
        this.threads = new LeaderStandby(config.threads(), this::lead,
                () -> counters.increment(TransportCounters.LINK_TAKEOVERS));
        threads.start();
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
            if (s.socket.tryUse(d -> SlaveSocket.send(d, frame, counters), false)) {
                return;
            }
        }
        outbox.offer(message);
    }

    /**
     * The leading thread's loop: session after session until closed. Nothing that goes wrong in
     * a session may end it (a slave whose link stopped would never see its master again), so
     * every failure is logged and followed by a new session after the back-off. Returns early,
     * leaving the session open, once another thread has taken the lead during a long call.
     */
    private void lead() {
        while (running && threads.leading()) {
            Session session = current; // open if a former leader was serving it
            try {
                if (session == null) {
                    // inside the try: a socket that cannot be made now (file descriptors, say) must not end the link
                    session = new Session();
                }
                if (!session.serve()) {
                    return;
                }
            } catch (ZMQException e) {
                // for example a master host name that does not resolve (yet): retry with back-off
                LOG.warning("cannot connect to master " + masters.current() + ": " + e.getMessage());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                if (running) {
                    LOG.log(Level.SEVERE, "link to master " + masters.current() + " failed", e);
                }
            }
            if (session != null) {
                end(session);
            }
            if (!running) {
                break;
            }
            // a move to another master is no failure of the handshake: its limit does not grow
            reconnection.ended(session != null && (session.welcomed || session.switchedKeys || session.moved));
            // another of the machine's masters is tried soon, until each had a few turns
            long delay = session != null && session.moved ? masters.moveDelayMs(ThreadLocalRandom.current()) : -1;
            if (delay < 0) {
                delay = reconnection.nextDelayMs(ThreadLocalRandom.current());
            }
            LOG.info("reconnecting to master " + masters.current() + " in " + delay + " ms");
            Reconnection.sleep(delay, () -> running);
        }
    }

    private void end(Session session) {
        try {
            session.lost("the link to master " + session.address + " was reset");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "telling the node its master is gone failed", e);
        }
        try {
            session.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the link's sockets failed", e);
        }
    }

    /** One socket's life: from connect until the master is silent past liveness. */
    private final class Session {
        private final SlaveSocket sockets;
        private final SharedSocket socket;
        private final String address = masters.current();
        /** Another master is to be dialed: this one does not lead, is gone, or was deposed. */
        private boolean moved;
        /** This session presents the join key to enroll the slave's own key; {@code enrolling} until answered. */
        private final boolean joinKey = !enrolled;
        private boolean enrolling = joinKey;
        /** Enrolled not in place, or refused with its own key: the next session presents the other key. */
        private boolean switchedKeys;
        private boolean welcomed;
        private long heartbeatMs = config.heartbeat().toMillis();
        private long livenessMs = config.liveness().toMillis();
        /**
         * An enrolled slave's handshake is a key looked up, and one that hangs (JeroMQ's, now
         * and then) is given up soon: a slave looking for a new leader makes several. Enrolling
         * may wait for the masters to commit the key. Each failed session in a row doubles it.
         */
        private final long handshakeMs = joinKey ? Math.max(1_000, config.liveness().toMillis() / 2)
                : Math.max(500, config.liveness().toMillis() / 6);
        private final long handshakeLimitMs = reconnection.handshakeLimitMs(handshakeMs);
        private final LinkEvents events = new LinkEvents(address, handshakeMs);
        private boolean opened;
        private long silenceSince;
        private long nextHeartbeat;
        private final PauseWatch pauses = new PauseWatch();

        Session() {
            CurveKeyPair own = joinKey ? config.token().slaveKeys() : config.ownKeys();
            sockets = new SlaveSocket(config.token().masterPublicKey(), own, config.maxBackoff().toMillis(),
                    4L * codec.maxBytes(), handshakeLimitMs);
            socket = sockets.shared();
        }

        /** Serves the socket until the master is lost (true) or another thread takes the lead (false). */
        boolean serve() {
            if (!opened) {
                opened = true;
                fromMaster.newSession();
                current = this;
                sockets.connect(address);
                silenceSince = System.currentTimeMillis();
                nextHeartbeat = silenceSince;
            }
            while (running && !switchedKeys && !moved) {
                boolean monitored = socket.await(Math.max(0, nextHeartbeat - System.currentTimeMillis()));
                long woke = System.currentTimeMillis(), paused = pauses.pausedMs(woke, heartbeatMs);
                if (paused > 0) {
                    // what the master sent meanwhile may not be on the socket yet: give it its liveness again
                    LOG.info("this node did not run for " + paused + " ms; the master's silence counts from now");
                    silenceSince = Math.max(silenceSince, woke);
                }
                if (!receiveAll()) {
                    return false;
                }
                if (monitored) {
                    readEvents();
                }
                socket.use(d -> {
                    outbox.drain(m -> SlaveSocket.send(d, codec.seal(m), counters));
                    return null;
                }, null);
                long now = System.currentTimeMillis();
                if (now >= nextHeartbeat) {
                    // until welcomed, each beat is a registration (or an enrollment): nothing waits in a queue
                    send(enrolling ? enrollment() : welcomed ? new Message.Heartbeat() : config.registration().get());
                    nextHeartbeat = now + heartbeatMs;
                }
                // before the welcome, leave JeroMQ time to drop a hung handshake and redial
                long allowed = welcomed ? livenessMs : Math.max(2 * livenessMs, handshakeLimitMs + livenessMs);
                if (now - silenceSince > allowed) {
                    lost("master " + address + " silent for " + (now - silenceSince) + " ms");
                    if (masters.replicated()) {
                        masters.next();
                        moved = true;
                    }
                    return true;
                }
            }
            return true;
        }

        private Message.Enroll enrollment() {
            Message.Register r = config.registration().get();
            return new Message.Enroll(r.nodeId(), r.name(), config.ownKeys().publicKey());
        }

        /**
         * Reads what waits, up to a bound so that heartbeats are never starved; false if another
         * thread took the lead during a call run here.
         */
        private boolean receiveAll() {
            FromMaster.Frames read;
            for (int n = 0; n < MAX_MESSAGES_PER_TURN && (read = socket.use(FromMaster::read, null)) != null; n++) {
                silenceSince = System.currentTimeMillis();
                Message m = fromMaster.open(read);
                if (m == null) {
                    continue;
                }
                if (m instanceof Message.Call c && !call(c)) {
                    return false;
                }
                switch (m) {
                    case Message.Heartbeat h -> { }
                    case Message.Enrolled e -> {
                        if (enrolling && !switchedKeys) { // one answer per enrollment sent: the first counts
                            LOG.info("enrolled with master " + address + " as " + e.nodeId());
                            enrolled = true;
                            enrolling = false;
                            // in place, this connection speaks as the node now: register on it at once
                            switchedKeys = !e.inPlace();
                            events.disconnectedSinceAsked();
                            nextHeartbeat = 0;
                            listener.onEnrolled(e.nodeId());
                        }
                    }
                    case Message.Refused r -> {
                        refusedLog.warn("master " + address + " refused this node: " + r.reason());
                        listener.onRefused(r.reason());
                    }
                    case Message.Reregister r -> send(config.registration().get());
                    case Message.NotLeader other -> {
                        masters.notLeader(address, other.leader());
                        moved = true;
                        LOG.info("master " + address + " does not lead; trying " + masters.current());
                        return true;
                    }
                    case Message.Welcome w -> {
                        if (!masters.welcomed(address, w.masters(), w.term())) {
                            LOG.warning("master " + address + " welcomed this node in term " + w.term() + ", older than "
                                    + masters.highestTerm() + ": it was deposed; trying " + masters.current());
                            moved = true;
                            return true;
                        }
                        if (!welcomed) {
                            LOG.info("joined master " + w.masterId() + " at " + address
                                    + (w.term() > 0 ? " (leader in term " + w.term() + ")" : ""));
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
                    case Message.Call c -> { }
                    default -> listener.onMessage(m);
                }
            }
            return true;
        }

        /** Runs a short call here and sends its result, or gives the call to the node; false if the lead was lost meanwhile. */
        private boolean call(Message.Call c) {
            long ticket = threads.beginWork();
            Message.CallResult result;
            boolean leading;
            try {
                result = listener.callInline(c);
            } finally {
                leading = threads.endWork(ticket);
            }
            if (result != null) {
                counters.increment(TransportCounters.CALLS_INLINE);
                send(result);
            } else {
                counters.increment(TransportCounters.CALLS_POOLED);
                listener.onMessage(c);
            }
            return leading;
        }

        private void readEvents() {
            if (events.ownKeyRefused(sockets.monitor(), welcomed, connected, joinKey)) {
                // the master does not know this key (any more): enroll it again with the token
                LOG.warning("master " + address + " refused this node's key; enrolling it again");
                enrolled = false;
                switchedKeys = true;
            } else if (joinKey && enrolled && events.disconnectedSinceAsked()) {
                // enrolled in place: the binding was that connection's, the next one presents the own key
                switchedKeys = true;
            }
            if (masters.replicated() && events.gone(welcomed)) {
                lost("master " + address + (welcomed ? " closed the connection" : " cannot be reached"));
                masters.next();
                moved = true;
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
            socket.use(d -> SlaveSocket.send(d, frame, counters), false);
        }

        void close() {
            if (current == this) {
                current = null;
            }
            sockets.close();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        threads.close(5_000);
    }

    /** Ends the leader's wait on the socket, if it waits. */
    private void wake() {
        Session s = current;
        if (s != null) {
            s.socket.wake();
        }
    }
}
