package sdm.transport.zmq;

/**
 * What peers may hold of the master, connection by connection (see {@link PeerWatch}).
 *
 * @param maxPeers      open connections at most; a new one past them is refused
 * @param maxHandshakes connections at most that have not delivered a valid message yet; past
 *                      them the oldest is cut
 * @param handshakeMs   how long a connection may take to deliver its first valid message
 * @param silenceMs     how long a slave's or joiner's connection may deliver nothing (at least
 *                      three heartbeats, whatever is set)
 */
public record PeerLimits(int maxPeers, int maxHandshakes, long handshakeMs, long silenceMs) {

    public static final PeerLimits DEFAULTS = new PeerLimits(10_000, 64, 10_000, 10_000);

    public PeerLimits {
        if (maxPeers < 1 || maxHandshakes < 1 || handshakeMs < 1 || silenceMs < 1) {
            throw new IllegalArgumentException("peer limits must be positive: " + maxPeers + " peers, "
                    + maxHandshakes + " handshakes, " + handshakeMs + " ms, " + silenceMs + " ms");
        }
    }
}
