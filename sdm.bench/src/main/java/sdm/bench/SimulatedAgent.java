package sdm.bench;

import java.util.List;
import java.util.Map;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import sdm.api.Platform;
import sdm.transport.zmq.InvalidMessageException;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * One simulated slave: a CURVE DEALER that speaks the slave's side of the protocol as far as a
 * healthy node with nothing installed needs, with the timing {@code SlaveLink} has. It first
 * enrolls a key of its own with the join token's key (each beat an enrollment), then connects
 * anew with its own key; until welcomed each beat is a registration; then a heartbeat every interval the master gave, the
 * slave's counters every 2 s, an empty report for every desired state, a registration when the
 * master asks for one. Silent past liveness (twice that before the welcome), it drops its
 * socket and makes a new one a second later, as a slave does. In raw mode (against a bare
 * ROUTER) it never registers and counts itself online once anything came back.
 * <p>
 * Owned by one {@link SimulatedSlaves} thread, with the others of that thread: not thread-safe.
 */
final class SimulatedAgent {

    /** The counters a real slave sends, all zero here: the same message, the same size. */
    private static final Map<String, Long> COUNTERS = Map.of("droppedExpired", 0L, "eventsRaised", 0L,
            "eventsSent", 0L, "eventsExpired", 0L, "eventsOverflowed", 0L, "eventsWaiting", 0L);
    private static final long COUNTERS_MS = 2_000;
    private static final long RECONNECT_MS = 1_000;
    private static final int HANDSHAKE_MS = 10_000;
    /** Silence before the first answer after which an agent redials (SlaveLink: twice the liveness). */
    private static final long FIRST_ANSWER_MS = 30_000;

    /**
     * How an agent reaches its server: the master's key, the key it enrolls with (the join
     * token's), and its own key pair; in raw mode it presents its own key at once.
     */
    record Keys(byte[] serverPublic, byte[] joinPublic, byte[] joinSecret, byte[] ownPublic, byte[] ownSecret) {
    }

    private final String name;
    private final Message.Register registration;
    private final boolean raw;
    private final Keys keys;
    private final String address;
    private final boolean slaveTiming;
    private final Message.Enroll enrollment;
    private boolean enrolled;
    /** Enrolled on this socket, not in place: the next tick replaces it with one that presents the own key. */
    private boolean switchKeys;
    private ZMQ.Socket dealer;
    private boolean online;
    private long heartbeatMs;
    private long livenessMs;
    private long nextBeatMs;
    private long nextCountersMs;
    private long lastHeardMs;
    private long reconnectAtMs;
    private int reconnections;
    /** Sessions in a row dropped before the first answer: with slave timing, as SlaveLink counts them. */
    private int failedSessions;

    /**
     * @param slaveTiming give up on a handshake and on a first answer as soon as {@code SlaveLink}
     *                    does (half the liveness, twice the liveness) instead of waiting longer
     */
    SimulatedAgent(String name, String nodeId, String address, Keys keys, boolean raw, long heartbeatMs,
            long livenessMs, boolean slaveTiming) {
        this.name = name;
        this.slaveTiming = slaveTiming;
        this.address = address;
        this.keys = keys;
        this.raw = raw;
        this.heartbeatMs = heartbeatMs;
        this.livenessMs = livenessMs;
        this.registration = new Message.Register(nodeId, name, Map.of("sim", "true"), Platform.os(), Platform.arch(),
                "sim");
        this.enrollment = new Message.Enroll(nodeId, name, ZMQ.Curve.z85Encode(keys.ownPublic()));
        this.enrolled = raw;
    }

    String name() {
        return name;
    }

    boolean online() {
        return online;
    }

    int reconnections() {
        return reconnections;
    }

    /** The socket, or null between a drop and the reconnection. */
    ZMQ.Socket socket() {
        return dealer;
    }

    /** Makes the socket and dials; the first beat goes out at once. */
    void connect(ZContext context, long now) {
        ZMQ.Socket s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setCurveServerKey(keys.serverPublic());
        s.setCurvePublicKey(enrolled ? keys.ownPublic() : keys.joinPublic());
        s.setCurveSecretKey(enrolled ? keys.ownSecret() : keys.joinSecret());
        s.setReconnectIVL(100);
        s.setReconnectIVLMax(2_000);
        s.setSndHWM(10_000);
        s.setImmediate(true);
        // SlaveLink gives up on a handshake early, against JeroMQ's rare hung handshakes.
        // Hundreds of agents share one I/O thread here: without slave timing they wait as long
        // as the master does (10 s), so that they do not give up on their neighbours' account.
        s.setHandshakeIvl((int) handshakeLimitMs());
        s.connect("tcp://" + address);
        dealer = s;
        online = false;
        lastHeardMs = now;
        nextBeatMs = now;
        nextCountersMs = Long.MAX_VALUE;
        reconnectAtMs = 0;
    }

    /** Reads every waiting frame and answers what needs an answer. */
    void receive(MessageCodec codec, long now) {
        byte[] frame;
        while ((frame = dealer.recv(ZMQ.DONTWAIT)) != null) {
            byte[] data = dealer.hasReceiveMore() ? dealer.recv(0) : null;
            while (dealer.hasReceiveMore()) {
                dealer.recv(0);
            }
            lastHeardMs = now;
            if (raw) {
                markOnline(now);
                continue;
            }
            Message m;
            try {
                m = codec.open(frame, data).message();
            } catch (InvalidMessageException e) {
                continue;
            }
            switch (m) {
                case Message.Enrolled e -> {
                    if (!enrolled) {
                        enrolled = true;
                        // in place, this connection is the node's now: register on it at once
                        nextBeatMs = now;
                        if (!e.inPlace()) {
                            switchKeys = true;
                            return;
                        }
                    }
                }
                case Message.Welcome w -> {
                    if (w.heartbeatMs() > 0 && w.livenessMs() > w.heartbeatMs()) {
                        heartbeatMs = w.heartbeatMs();
                        livenessMs = w.livenessMs();
                    }
                    markOnline(now);
                    send(codec, new Message.NodeCounters(COUNTERS)); // as a slave does on each welcome
                }
                case Message.Reregister r -> send(codec, registration);
                case Message.Desired d -> send(codec, new Message.Report(d.revision(), List.of()));
                case Message.Call c -> send(codec, new Message.CallResult(c.callId(), false, null,
                        "program " + c.program() + " is not installed on this simulated node"));
                default -> {
                    // heartbeats, acknowledgements, chunks: nothing to answer
                }
            }
        }
    }

    private void markOnline(long now) {
        failedSessions = 0;
        if (!online) {
            online = true;
            nextCountersMs = now + COUNTERS_MS;
        }
    }

    /**
     * Sends what is due by {@code horizon} (beats a few ms early rather than one wake-up each),
     * drops a silent connection, reconnects one that was dropped.
     *
     * @return true if the socket was replaced or dropped (the owner re-registers its poller)
     */
    boolean tick(ZContext context, MessageCodec codec, long now, long horizon) {
        if (dealer == null) {
            if (now >= reconnectAtMs) {
                connect(context, now);
                return true;
            }
            return false;
        }
        if (switchKeys) {
            switchKeys = false;
            context.destroySocket(dealer);
            dealer = null;
            reconnectAtMs = now;
            return true;
        }
        if (now - lastHeardMs > allowedSilenceMs()) {
            context.destroySocket(dealer);
            dealer = null;
            failedSessions = online ? 0 : failedSessions + 1;
            online = false;
            reconnections++;
            reconnectAtMs = now + reconnectDelayMs();
            return true;
        }
        if (nextBeatMs <= horizon) {
            send(codec, !enrolled ? enrollment : online || raw ? new Message.Heartbeat() : registration);
            nextBeatMs = now + heartbeatMs;
        }
        if (nextCountersMs <= horizon) {
            send(codec, new Message.NodeCounters(COUNTERS));
            nextCountersMs = now + COUNTERS_MS;
        }
        return false;
    }

    /** The earliest time this agent has something to do. */
    long nextDueMs() {
        if (dealer == null || switchKeys) {
            return dealer == null ? reconnectAtMs : 0;
        }
        long silentUntil = lastHeardMs + allowedSilenceMs() + 1;
        return Math.min(Math.min(nextBeatMs, nextCountersMs), silentUntil);
    }

    /**
     * Once online, the liveness, as a slave. Before, longer than a slave waits: CURVE in JeroMQ
     * costs milliseconds of CPU per handshake at each end, and hundreds of agents dialing on one
     * I/O thread wait their turn; redialing then would only waste the work done.
     */
    private long allowedSilenceMs() {
        return online ? livenessMs : slaveTiming ? Math.max(2 * livenessMs, handshakeLimitMs() + livenessMs)
                : Math.max(2 * livenessMs, FIRST_ANSWER_MS);
    }

    /** With slave timing, SlaveLink's: half the liveness, doubled by each failed session, 10 s at most. */
    private long handshakeLimitMs() {
        return slaveTiming ? Math.min(10_000, Math.max(1_000, livenessMs / 2) << Math.min(failedSessions, 3)) : HANDSHAKE_MS;
    }

    /** With slave timing, SlaveLink's back-off (1 s doubled per failed session, 2 s at most) with its jitter. */
    private long reconnectDelayMs() {
        if (!slaveTiming) {
            return RECONNECT_MS;
        }
        long backoff = Math.min(2_000, RECONNECT_MS << Math.min(failedSessions, 1));
        return backoff / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    }

    private void send(MessageCodec codec, Message m) {
        try {
            dealer.send(codec.seal(m), ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            // not connected yet or queue full: beats and registrations go again anyway
        }
    }

    void close(ZContext context) {
        if (dealer != null) {
            context.destroySocket(dealer);
            dealer = null;
        }
    }
}
