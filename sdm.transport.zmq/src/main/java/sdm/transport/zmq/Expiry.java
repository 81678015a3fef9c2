package sdm.transport.zmq;

import sdm.api.node.MonotonicClock;

/**
 * How long each kind of message is worth delivering, from when it is sent. Liveness signals
 * never expire (a late one still says the peer is alive now); state is re-sent by convergence
 * anyway, so a stale copy is dropped; a call is worth running only within its timeout.
 */
public final class Expiry {

    static final long STATE_TTL_MS = 30_000;
    static final long TRANSFER_TTL_MS = 30_000;
    static final long ADMIN_TTL_MS = 300_000;

    private Expiry() {
    }

    public static long defaultTtlMs(Message m) {
        return switch (m) {
            case Message.Enroll e -> 0;
            case Message.Enrolled e -> 0;
            case Message.Refused r -> 0;
            case Message.Register r -> 0;
            case Message.Welcome w -> 0;
            case Message.NotLeader n -> 0;
            case Message.Reregister r -> 0;
            case Message.Heartbeat h -> 0;
            case Message.Call c -> c.timeoutMs();
            case Message.Fetch f -> TRANSFER_TTL_MS;
            case Message.Chunk c -> TRANSFER_TTL_MS;
            case Message.Upload u -> TRANSFER_TTL_MS;
            case Message.UploadAck a -> TRANSFER_TTL_MS;
            case Message.AdminRequest a -> ADMIN_TTL_MS;
            case Message.AdminReply a -> ADMIN_TTL_MS;
            case Message.Event e -> Math.max(1, e.atMs() + e.ttlMs() - MonotonicClock.nowMs());
            // the latest of its posts: the master drops each post that expired on its own
            case Message.Posts p -> Math.max(1, p.posts().stream().mapToLong(x -> x.atMs() + x.ttlMs()).max()
                    .orElse(0) - MonotonicClock.nowMs());
            case Message.ExportCall c -> c.timeoutMs();
            default -> STATE_TTL_MS;
        };
    }

    /**
     * Whether a message expired before it was read: its expiry, on the sender's clock, against
     * the receiver's clock corrected by the offset measured for that sender.
     */
    static boolean expired(MessageCodec.Received r, PeerClock clock, long nowMs) {
        return r.expiresMs() != 0 && clock.measured() && clock.senderNow(nowMs) > r.expiresMs();
    }
}
