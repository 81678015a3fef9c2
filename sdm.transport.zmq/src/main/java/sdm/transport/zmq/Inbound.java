package sdm.transport.zmq;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import zmq.Msg;
import zmq.io.Metadata;

import sdm.api.node.MonotonicClock;
import sdm.api.node.ThrottledLog;

/**
 * What the master's endpoint does with each message it reads: checks the connection's role,
 * decodes, refuses what that role may not send, drops what expired on the way, and hands the
 * rest to the {@link MasterEndpoint.Listener}. The endpoint's thread only.
 */
final class Inbound {

    private static final Logger LOG = Logger.getLogger("sdm.transport");
    private static final HexFormat HEX = HexFormat.of();

    /** One message as read from the ROUTER: its routing id, its frames and how many frames came beyond two. */
    record Frames(Msg routingId, Msg payload, Msg data, int extra) {
    }

    private final MessageCodec codec;
    private final TransportCounters counters;
    private final PeerWatch watch;
    private final MasterEndpoint.Listener listener;
    private final ThrottledLog dropLog = new ThrottledLog(LOG, 20, 60_000);
    /** Each peer's clock offset, for expiry; admin peers come and go, so bounded. */
    private final Map<String, PeerClock> peerClocks = leastRecentlyUsed(4096);
    /** The address of each peer heard from, to cut one that does not read; read by senders too. */
    private final Map<String, String> addresses = leastRecentlyUsed(16_384);
    /**
     * Connections made with the join key whose enrollment was answered in place: each speaks as
     * its node. Written by the master's enrollment writer, bounded like {@link #addresses}.
     */
    private final Map<String, String> enrolledInPlace = java.util.Collections.synchronizedMap(
            leastRecentlyUsed(16_384));
    /** When each slave connection was last heard from, for heartbeats. */
    private final Map<String, Long> slavesLastHeard = new java.util.HashMap<>();

    /** A map that forgets its least recently used entry past {@code max}; not thread-safe. */
    private static <V> Map<String, V> leastRecentlyUsed(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    Inbound(MessageCodec codec, TransportCounters counters, PeerWatch watch, MasterEndpoint.Listener listener) {
        this.codec = codec;
        this.counters = counters;
        this.watch = watch;
        this.listener = listener;
    }

    /** Reads one message if one waits; the frames are the caller's to {@link #handle}. */
    static Frames read(org.zeromq.ZMQ.Socket router) {
        Msg first = router.base().recv(org.zeromq.ZMQ.DONTWAIT);
        if (first == null) {
            return null;
        }
        Msg payload = null;
        Msg data = null;
        int extra = 0;
        while (router.hasReceiveMore()) {
            Msg part = router.base().recv(0);
            if (payload == null) {
                payload = part;
            } else if (data == null) {
                data = part;
            } else {
                extra++;
            }
        }
        return new Frames(first, payload, data, extra);
    }

    void handle(Frames frames) {
        String routingId = HEX.formatHex(frames.routingId().data());
        Msg payload = frames.payload();
        int extraFrames = frames.extra();
        Metadata meta = payload == null ? null : payload.getMetadata();
        String userId = meta == null ? null : meta.get(Metadata.USER_ID);
        PeerRole role = PeerRole.fromUserId(userId);
        String address = meta == null ? "?" : String.valueOf(meta.get(Metadata.PEER_ADDRESS));
        if (payload == null || extraFrames > 0 || role == null) {
            drop(new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                    payload == null ? "empty message" : extraFrames > 0 ? (extraFrames + 2) + " frames, expected 1 or 2"
                            : "no role for this connection"), address);
            if (extraFrames > 0) {
                // no SDM peer sends such a message: the peer is hostile, or broken
                watch.cut(address, (extraFrames + 2) + " frames in one message");
            }
            return;
        }
        MessageCodec.Received received;
        try {
            received = codec.open(payload.data(), frames.data() == null ? null : frames.data().data());
        } catch (InvalidMessageException e) {
            drop(e, address);
            return;
        }
        Message message = received.message();
        String nodeId = PeerRole.nodeIdOf(userId);
        // an enrollment sent again before the answer came stays the joiner's: it is answered, not refused
        if (role == PeerRole.JOINER && !(message instanceof Message.Enroll)) {
            String bound = enrolledInPlace.get(routingId);
            if (bound != null) {
                role = PeerRole.SLAVE;
                nodeId = bound;
            }
        }
        if (!allowed(role, message)) {
            drop(new InvalidMessageException(InvalidMessageException.Cause.UNEXPECTED,
                    role.name().toLowerCase() + " peer sent " + message.getClass().getSimpleName()), address);
            return;
        }
        watch.heard(address, role, PeerWatch.nowMs());
        synchronized (addresses) {
            addresses.put(routingId, address);
        }
        if (role == PeerRole.SLAVE) {
            slavesLastHeard.put(routingId, System.currentTimeMillis());
        }
        long arrival = MonotonicClock.nowMs();
        PeerClock clock = peerClocks.computeIfAbsent(routingId, k -> new PeerClock());
        boolean expired = Expiry.expired(received, clock, arrival);
        clock.sample(received.sentMs(), arrival);
        MasterEndpoint.Peer peer = new MasterEndpoint.Peer(routingId, role, address, nodeId,
                clock.measured() ? clock.senderNow(arrival) : 0);
        if (expired) {
            counters.increment(TransportCounters.DROPPED_EXPIRED);
            try {
                listener.onExpired(peer, message);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "counting an expired message from " + address + " failed", e);
            }
            return;
        }
        try {
            listener.onMessage(peer, message);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handling " + message.getClass().getSimpleName() + " from " + address + " failed", e);
        }
    }

    /** The address a peer's connection comes from, or null if it was never heard from; any thread. */
    String address(String routingId) {
        synchronized (addresses) {
            return addresses.get(routingId);
        }
    }

    /** From now on the join-key connection {@code routingId} speaks as node {@code nodeId}; any thread. */
    void enrolledInPlace(String routingId, String nodeId) {
        enrolledInPlace.put(routingId, nodeId);
    }

    /** The slave connections heard from within {@code forgetMs}; the others are forgotten. */
    Iterable<String> slavesHeardSince(long now, long forgetMs) {
        var it = slavesLastHeard.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (now - e.getValue() > forgetMs) {
                it.remove();
                peerClocks.remove(e.getKey());
                enrolledInPlace.remove(e.getKey());
            }
        }
        return slavesLastHeard.keySet();
    }

    private static boolean allowed(PeerRole role, Message message) {
        return switch (role) {
            case JOINER -> message instanceof Message.Enroll;
            case SLAVE -> message instanceof Message.Register || message instanceof Message.Heartbeat
                    || message instanceof Message.Report || message instanceof Message.Fetch
                    || message instanceof Message.CallResult || message instanceof Message.Event
                    || message instanceof Message.NodeCounters || message instanceof Message.ExportCall
                    || message instanceof Message.Posts || message instanceof StackMessages.MachineCounts
                    || message instanceof StackMessages.TreeReply;
            case ADMIN -> message instanceof Message.AdminRequest || message instanceof Message.Upload;
        };
    }

    private void drop(InvalidMessageException e, String address) {
        counters.dropped(e.reason());
        dropLog.warn("dropped a message from " + address + ": " + e.getMessage());
    }
}
