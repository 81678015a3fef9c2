package sdm.transport.zmq;

import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import zmq.Msg;
import zmq.io.Metadata;

import sdm.api.node.MonotonicClock;
import sdm.api.node.ThrottledLog;

/**
 * The master's one ROUTER endpoint. Slaves and admin clients connect to it over CURVE; the
 * ZAP handler admits only the keys its {@link Admission} knows: the join key (to enroll), the
 * admin key, and enrolled slaves' keys, each connection bound to its node. One thread owns the socket: it
 * reads frames, decodes them, hands each message to the {@link Listener}, sends what other
 * threads queued with {@link #send}, and heartbeats every slave heard from recently.
 * A malformed, oversized, unknown or misdirected message is dropped, counted and logged.
 * What a peer can make it hold is bounded by {@link RouterOptions}, {@link FrameLimit} and
 * {@link PeerWatch}.
 */
public final class MasterEndpoint implements AutoCloseable {

    /**
     * @param host        interface to bind ({@code 0.0.0.0} for all)
     * @param port        TCP port, 0 for any free port
     * @param serverKeys  the master's key pair
     * @param admission   who may connect, and in which role
     * @param heartbeat   interval of heartbeats to slaves
     * @param maxMessageBytes largest frame decoded; frames up to four times larger are read
     *                    and dropped, larger ones cut the peer's connection
     * @param limits      what peers may hold of the master, connection by connection
     */
    public record Config(String host, int port, CurveKeyPair serverKeys, Admission admission,
            Duration heartbeat, int maxMessageBytes, PeerLimits limits) {

        /** With the default {@link PeerLimits}. */
        public Config(String host, int port, CurveKeyPair serverKeys, Admission admission, Duration heartbeat,
                int maxMessageBytes) {
            this(host, port, serverKeys, admission, heartbeat, maxMessageBytes, PeerLimits.DEFAULTS);
        }
    }

    /**
     * A peer as seen by the ROUTER: one connection. {@code nodeId}: for a slave, the node its key
     * is enrolled as (null for other roles); {@code senderNowMs}: the peer's clock when its
     * message arrived, as far as can be told (0 before it can be).
     */
    public record Peer(String routingId, PeerRole role, String address, String nodeId, long senderNowMs) {
    }

    /** Called on the endpoint's thread: must not block. */
    public interface Listener {
        /** Every valid message. */
        void onMessage(Peer from, Message message);

        /** A valid message that arrived after its expiry: dropped unexecuted, given here to be counted. */
        default void onExpired(Peer from, Message message) {
        }

        /** The endpoint's thread ended on an error after the bind: nothing is received any more. */
        default void onStopped(String reason) {
        }
    }

    private static final Logger LOG = Logger.getLogger("sdm.transport");
    private static final HexFormat HEX = HexFormat.of();
    private static final long FORGET_PEER_MS = 60_000;
    private static final int MAX_MESSAGES_PER_TURN = 1_000;
    private static final long SWEEP_MS = 250;

    private final Config config;
    private final Listener listener;
    private final MessageCodec codec;
    private final TransportCounters counters = new TransportCounters();
    private final Outbox<Outgoing> outbox = new Outbox<>();
    /** How often slaves are sent a heartbeat; changed at run time by {@link #heartbeat(long)}. */
    private volatile long heartbeatMs;
    /** Socket thread only: each peer's clock offset, for expiry; admin peers come and go, so bounded. */
    private final Map<String, PeerClock> peerClocks = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PeerClock> eldest) {
            return size() > 4096;
        }
    };
    private final ThrottledLog dropLog = new ThrottledLog(LOG, 20, 60_000);
    /**
     * Two I/O threads: CURVE in JeroMQ (jnacl, pure Java) runs at about 25 MB/s per thread here,
     * and bundles to several slaves are encrypted in parallel this way.
     */
    private final ZContext context = new ZContext(2);
    private final ZapAuthenticator zap;
    private final PeerWatch watch;
    /** Socket thread only: the address of each peer heard from, to cut one that does not read. */
    private final Map<String, String> addresses = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 16_384;
        }
    };
    private final Map<String, Long> slavePeersLastHeard = new HashMap<>();
    private final Thread thread;
    private final CompletableFuture<Integer> bound = new CompletableFuture<>();
    private volatile boolean running = true;

    /**
     * A message and its expiry, fixed when it was handed over (a wait in the outbox counts against
     * it), and what to run once the socket has taken it or refused it (or null).
     */
    private record Outgoing(String routingId, Message message, long expiresMs, Runnable handedOver) {
    }

    private MasterEndpoint(Config config, Listener listener) {
        this.config = config;
        this.heartbeatMs = config.heartbeat().toMillis();
        this.listener = listener;
        this.codec = new MessageCodec(config.maxMessageBytes());
        context.setLinger(0);
        this.zap = new ZapAuthenticator(context, config.admission(), counters);
        this.watch = new PeerWatch(config.limits(), counters);
        counters.gauge(TransportCounters.CONNECTIONS_OPEN, () -> watch.open()[0]);
        counters.gauge(TransportCounters.HANDSHAKES_OPEN, () -> watch.open()[1]);
        this.thread = Thread.ofPlatform().name("sdm-master-endpoint").start(this::run);
    }

    /**
     * Binds and starts the endpoint.
     *
     * @throws TransportException with a one-line reason if the address cannot be bound
     */
    public static MasterEndpoint start(Config config, Listener listener) throws TransportException {
        MasterEndpoint endpoint = new MasterEndpoint(config, listener);
        try {
            endpoint.bound.get(10, TimeUnit.SECONDS);
            return endpoint;
        } catch (ExecutionException e) {
            endpoint.close();
            throw e.getCause() instanceof TransportException te ? te
                    : new TransportException("cannot bind " + config.host() + ":" + config.port() + ": " + e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            endpoint.close();
            throw new TransportException("binding " + config.host() + ":" + config.port() + " did not finish");
        }
    }

    /** The port bound (useful when the configured port was 0). */
    public int port() {
        return bound.join();
    }

    public TransportCounters counters() {
        return counters;
    }

    /** Queues a message to one peer; returns at once, from any thread. */
    public void send(String routingId, Message message) {
        send(routingId, message, null);
    }

    /**
     * Queues a message to one peer, and runs {@code handedOver} on the endpoint's thread once the
     * socket has taken it or refused it (never, if the endpoint closes first).
     */
    public void send(String routingId, Message message, Runnable handedOver) {
        long ttl = Expiry.defaultTtlMs(message);
        outbox.offer(new Outgoing(routingId, message, ttl <= 0 ? 0 : MonotonicClock.nowMs() + ttl, handedOver));
    }

    private void run() {
        ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
        try {
            RouterOptions.apply(router, config, counters, watch);
            String endpoint = "tcp://" + config.host() + ":" + (config.port() == 0 ? "*" : config.port());
            try {
                router.bind(endpoint);
            } catch (ZMQException e) {
                bound.completeExceptionally(new TransportException(RouterOptions.bindError(config, e)));
                return;
            }
            String last = router.getLastEndpoint();
            bound.complete(Integer.parseInt(last.substring(last.lastIndexOf(':') + 1)));
            loop(router);
        } catch (RuntimeException e) {
            if (!bound.isDone()) {
                bound.completeExceptionally(new TransportException("cannot start endpoint: " + e.getMessage()));
            } else if (running) {
                LOG.log(Level.SEVERE, "master endpoint stopped", e);
                listener.onStopped("the master endpoint stopped: " + e);
            }
        } finally {
            context.destroySocket(router);
        }
    }

    private void loop(ZMQ.Socket router) {
        ZMQ.Poller poller = context.createPoller(2);
        poller.register(router, ZMQ.Poller.POLLIN);
        poller.register(outbox.wakeChannel(), ZMQ.Poller.POLLIN);
        long lastBeat = System.currentTimeMillis();
        long nextHeartbeat = lastBeat + heartbeatMs;
        long nextSweep = lastBeat + SWEEP_MS;
        boolean moreWaiting = false;
        while (running && !Thread.currentThread().isInterrupted()) {
            nextHeartbeat = Math.min(nextHeartbeat, lastBeat + heartbeatMs); // the interval may have been shortened
            long wait = moreWaiting ? 0 : Math.max(0, Math.min(nextHeartbeat, nextSweep) - System.currentTimeMillis());
            if (poller.poll(wait) < 0) {
                break;
            }
            if (poller.pollin(0) || moreWaiting) {
                moreWaiting = receiveAll(router);
            }
            if (poller.pollin(1)) {
                outbox.drain(out -> {
                    try {
                        deliver(router, out.routingId(), out.message(), out.expiresMs());
                    } finally {
                        if (out.handedOver() != null) {
                            out.handedOver().run();
                        }
                    }
                });
            }
            long now = System.currentTimeMillis();
            if (now >= nextHeartbeat) {
                heartbeatSlaves(router, now);
                lastBeat = now;
                nextHeartbeat = now + heartbeatMs;
            }
            if (now >= nextSweep) {
                watch.sweep(PeerWatch.nowMs(), Math.max(config.limits().silenceMs(), 3 * heartbeatMs));
                nextSweep = now + SWEEP_MS;
            }
        }
        poller.close();
    }

    /** Handles what is waiting, up to a bound, so a flooding peer cannot starve sends and heartbeats. */
    private boolean receiveAll(ZMQ.Socket router) {
        Msg first;
        for (int n = 0; n < MAX_MESSAGES_PER_TURN && (first = router.base().recv(ZMQ.DONTWAIT)) != null; n++) {
            String routingId = HEX.formatHex(first.data());
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
            counters.increment(TransportCounters.MESSAGES_IN);
            handle(routingId, payload, data, extra);
        }
        return (router.getEvents() & ZMQ.Poller.POLLIN) != 0;
    }

    private void handle(String routingId, Msg payload, Msg data, int extraFrames) {
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
            received = codec.open(payload.data(), data == null ? null : data.data());
        } catch (InvalidMessageException e) {
            drop(e, address);
            return;
        }
        Message message = received.message();
        if (!allowed(role, message)) {
            drop(new InvalidMessageException(InvalidMessageException.Cause.UNEXPECTED,
                    role.name().toLowerCase() + " peer sent " + message.getClass().getSimpleName()), address);
            return;
        }
        watch.heard(address, role, PeerWatch.nowMs());
        addresses.put(routingId, address);
        long now = System.currentTimeMillis();
        if (role == PeerRole.SLAVE) {
            slavePeersLastHeard.put(routingId, now);
        }
        long arrival = MonotonicClock.nowMs();
        PeerClock clock = peerClocks.computeIfAbsent(routingId, k -> new PeerClock());
        boolean expired = Expiry.expired(received, clock, arrival);
        clock.sample(received.sentMs(), arrival);
        Peer peer = new Peer(routingId, role, address, PeerRole.nodeIdOf(userId),
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

    private static boolean allowed(PeerRole role, Message message) {
        return switch (role) {
            case JOINER -> message instanceof Message.Enroll;
            case SLAVE -> message instanceof Message.Register || message instanceof Message.Heartbeat
                    || message instanceof Message.Report || message instanceof Message.Fetch
                    || message instanceof Message.CallResult || message instanceof Message.Event
                    || message instanceof Message.NodeCounters || message instanceof Message.ExportCall
                    || message instanceof Message.Posts;
            case ADMIN -> message instanceof Message.AdminRequest || message instanceof Message.Upload;
        };
    }

    private void drop(InvalidMessageException e, String address) {
        counters.dropped(e.reason());
        dropLog.warn("dropped a message from " + address + ": " + e.getMessage());
    }

    private void deliver(ZMQ.Socket router, String routingId, Message message, long expiresMs) {
        byte[] frame = codec.sealUntil(message, expiresMs);
        boolean sent;
        try {
            if (message instanceof Message.WithData w) {
                sent = router.send(HEX.parseHex(routingId), ZMQ.SNDMORE | ZMQ.DONTWAIT)
                        && router.send(frame, ZMQ.SNDMORE | ZMQ.DONTWAIT) && router.send(w.data(), ZMQ.DONTWAIT);
            } else {
                sent = router.send(HEX.parseHex(routingId), ZMQ.SNDMORE | ZMQ.DONTWAIT)
                        && router.send(frame, ZMQ.DONTWAIT);
            }
        } catch (ZMQException e) {
            // gone (EHOSTUNREACH): no queue of it is left
            counters.increment(TransportCounters.UNROUTABLE);
            return;
        }
        if (sent) {
            counters.increment(TransportCounters.MESSAGES_OUT);
            return;
        }
        // its queue is full (EAGAIN): it reads nothing of what it is sent
        counters.increment(TransportCounters.UNROUTABLE);
        String address = addresses.get(routingId);
        if (address != null) {
            watch.cut(address, "it does not read what it is sent (" + RouterOptions.SND_HWM + " messages wait)");
        }
    }

    private void heartbeatSlaves(ZMQ.Socket router, long now) {
        Iterator<Map.Entry<String, Long>> it = slavePeersLastHeard.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (now - e.getValue() > FORGET_PEER_MS) {
                it.remove();
                peerClocks.remove(e.getKey());
            } else {
                deliver(router, e.getKey(), new Message.Heartbeat(), 0);
            }
        }
    }

    /** Heartbeats slaves every {@code ms} from the next beat on. */
    public void heartbeat(long ms) {
        heartbeatMs = ms;
    }

    @Override
    public void close() {
        running = false;
        SocketThread.join(thread, 5_000);
        zap.close();
        outbox.close();
        context.close();
    }
}
