package sdm.transport.zmq;

import java.time.Duration;
import java.util.HexFormat;
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


import sdm.api.node.MonotonicClock;

/**
 * The master's one ROUTER endpoint. Slaves and admin clients connect to it over CURVE; the
 * ZAP handler admits only the keys its {@link Admission} knows: the join key (to enroll), the
 * admin key, and enrolled slaves' keys, each connection bound to its node. One thread waits on
 * the socket: it reads frames, has {@link Inbound} decode them and hand each message to the
 * {@link Listener}, and heartbeats every slave heard from recently. Any thread sends on the
 * socket itself when it is free ({@link SharedSocket}), and through the endpoint's thread when
 * it is not.
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
    /** The socket, once the endpoint's thread has made it. */
    private volatile SharedSocket shared;
    private final Outbox<Outgoing> outbox = new Outbox<>(() -> {
        SharedSocket s = shared;
        if (s != null) {
            s.wake();
        }
    });
    /** How often slaves are sent a heartbeat; changed at run time by {@link #heartbeat(long)}. */
    private volatile long heartbeatMs;
    /**
     * Two I/O threads: CURVE in JeroMQ (jnacl, pure Java) runs at about 25 MB/s per thread here,
     * and bundles to several slaves are encrypted in parallel this way.
     */
    private final ZContext context = new ZContext(2);
    private final ZapAuthenticator zap;
    private final PeerWatch watch;
    private final Inbound inbound;
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
        this.inbound = new Inbound(codec, counters, watch, listener);
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

    /**
     * Binds a connection made with the join key to the node it has just enrolled as new: its
     * messages are that node's from now on, as if it had connected with the node's own key. Call
     * before answering it with an {@link Message.Enrolled} in place; from any thread.
     */
    public void enrolledInPlace(String routingId, String nodeId) {
        inbound.enrolledInPlace(routingId, nodeId);
    }

    /** Sends a message to one peer, from any thread, without waiting for the socket. */
    public void send(String routingId, Message message) {
        send(routingId, message, null);
    }

    /**
     * Sends a message to one peer, from any thread. It goes out at once when the socket is free
     * and nothing this endpoint was given earlier still waits; otherwise it is queued for the
     * endpoint's thread. {@code handedOver} (or null) runs once the socket has taken the message
     * or refused it (never, if the endpoint closes first).
     */
    public void send(String routingId, Message message, Runnable handedOver) {
        long ttl = Expiry.defaultTtlMs(message);
        long expiresMs = ttl <= 0 ? 0 : MonotonicClock.nowMs() + ttl;
        SharedSocket s = shared;
        if (handedOver == null && s != null && outbox.isEmpty()) {
            byte[] frame = codec.sealUntil(message, expiresMs);
            if (s.tryUse(router -> deliver(router, routingId, message, frame), false)) {
                return;
            }
        }
        outbox.offer(new Outgoing(routingId, message, expiresMs, handedOver));
    }

    private void run() {
        ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
        SharedSocket socket = null;
        try {
            RouterOptions.apply(router, config, counters, watch);
            String endpoint = "tcp://" + config.host() + ":" + (config.port() == 0 ? "*" : config.port());
            try {
                router.bind(endpoint);
            } catch (ZMQException e) {
                bound.completeExceptionally(new TransportException(RouterOptions.bindError(config, e)));
                return;
            }
            socket = new SharedSocket(router);
            shared = socket;
            String last = router.getLastEndpoint();
            bound.complete(Integer.parseInt(last.substring(last.lastIndexOf(':') + 1)));
            loop(socket);
        } catch (RuntimeException e) {
            if (!bound.isDone()) {
                bound.completeExceptionally(new TransportException("cannot start endpoint: " + e.getMessage()));
            } else if (running) {
                LOG.log(Level.SEVERE, "master endpoint stopped", e);
                listener.onStopped("the master endpoint stopped: " + e);
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
            context.destroySocket(router);
        }
    }

    private void loop(SharedSocket socket) {
        long lastBeat = System.currentTimeMillis();
        long nextHeartbeat = lastBeat + heartbeatMs;
        long nextSweep = lastBeat + SWEEP_MS;
        boolean moreWaiting = false;
        while (running && !Thread.currentThread().isInterrupted()) {
            nextHeartbeat = Math.min(nextHeartbeat, lastBeat + heartbeatMs); // the interval may have been shortened
            if (!moreWaiting) {
                socket.await(Math.max(0, Math.min(nextHeartbeat, nextSweep) - System.currentTimeMillis()));
            }
            moreWaiting = receiveAll(socket);
            socket.use(router -> {
                outbox.drain(out -> {
                    try {
                        deliver(router, out.routingId(), out.message(), codec.sealUntil(out.message(), out.expiresMs()));
                    } finally {
                        if (out.handedOver() != null) {
                            out.handedOver().run();
                        }
                    }
                });
                return null;
            }, null);
            long now = System.currentTimeMillis();
            if (now >= nextHeartbeat) {
                heartbeatSlaves(socket, now);
                lastBeat = now;
                nextHeartbeat = now + heartbeatMs;
            }
            if (now >= nextSweep) {
                watch.sweep(PeerWatch.nowMs(), Math.max(config.limits().silenceMs(), 3 * heartbeatMs));
                nextSweep = now + SWEEP_MS;
            }
        }
    }

    /** Handles what is waiting, up to a bound, so a flooding peer cannot starve sends and heartbeats. */
    private boolean receiveAll(SharedSocket socket) {
        for (int n = 0; n < MAX_MESSAGES_PER_TURN; n++) {
            Inbound.Frames frames = socket.use(Inbound::read, null);
            if (frames == null) {
                return false;
            }
            counters.increment(TransportCounters.MESSAGES_IN);
            inbound.handle(frames);
        }
        return socket.inputWaiting();
    }

    /** With the socket held, from any thread. */
    private boolean deliver(ZMQ.Socket router, String routingId, Message message, byte[] frame) {
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
            return true;
        }
        if (sent) {
            counters.increment(TransportCounters.MESSAGES_OUT);
            return true;
        }
        // its queue is full (EAGAIN): it reads nothing of what it is sent
        counters.increment(TransportCounters.UNROUTABLE);
        String address = inbound.address(routingId);
        if (address != null) {
            watch.cut(address, "it does not read what it is sent (" + RouterOptions.SND_HWM + " messages wait)");
        }
        return true;
    }

    private void heartbeatSlaves(SharedSocket socket, long now) {
        byte[] beat = codec.sealUntil(new Message.Heartbeat(), 0);
        for (String routingId : inbound.slavesHeardSince(now, FORGET_PEER_MS)) {
            socket.use(router -> deliver(router, routingId, new Message.Heartbeat(), beat), false);
        }
    }

    /** Heartbeats slaves every {@code ms} from the next beat on. */
    public void heartbeat(long ms) {
        heartbeatMs = ms;
    }

    @Override
    public void close() {
        running = false;
        SharedSocket s = shared;
        if (s != null) {
            s.wake();
        }
        SocketThread.join(thread, 5_000);
        zap.close();
        context.close();
    }
}
