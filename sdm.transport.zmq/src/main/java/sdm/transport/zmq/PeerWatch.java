package sdm.transport.zmq;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

import sdm.api.node.ThrottledLog;

/**
 * Every TCP connection of the master's ROUTER, from JeroMQ's accept to its close, seen through
 * the socket's event hook (which hands over each connection's channel). JeroMQ 0.6.0 has no cap
 * on connections, stops timing a handshake once the greetings are swapped, and keeps the frames
 * of an unfinished multipart message out of sight and out of the high-water mark; this watch
 * makes up for it:
 * <ul>
 * <li>past {@code maxPeers} open connections, a new one is refused at once;</li>
 * <li>a connection that has not delivered a valid message yet (its handshake in progress) is
 *     cut {@code handshakeMs} after its accept, and past {@code maxHandshakes} of them the
 *     oldest is cut;</li>
 * <li>a connection silent for longer than its silence limit is cut, admin connections aside
 *     (a command may take long, and the admin key runs any command anyway). The frames of one
 *     message follow each other on a connection, so a peer that keeps a multipart message
 *     unfinished delivers nothing meanwhile: this bounds what it can pile up to what it can
 *     send in that time.</li>
 * </ul>
 * To cut is to shut the channel's input down: the connection's engine reads the end of the
 * stream and closes the connection the way it closes any lost one (closing the channel under
 * it instead would leave the engine, its session and its buffers behind). Counted as
 * {@code connectionsRefused} and {@code connectionsCut}, and logged (throttled).
 * <p>
 * The hook is called on JeroMQ's I/O threads, the rest on the endpoint's: all under this
 * object's lock. Connections are known by the peer address JeroMQ puts in each message's
 * metadata.
 */
final class PeerWatch implements zmq.ZMQ.EventConsummer {

    static final int EVENTS = zmq.ZMQ.ZMQ_EVENT_ACCEPTED | zmq.ZMQ.ZMQ_EVENT_DISCONNECTED
            | zmq.ZMQ.ZMQ_EVENT_CLOSED;
    private static final Logger LOG = Logger.getLogger("sdm.transport");

    private static final class Connection {
        final SocketChannel channel;
        final String address;
        long acceptedMs;
        /** 0 until its first valid message. */
        long lastHeardMs;
        boolean exempt;
        boolean cut;

        Connection(SocketChannel channel, String address, long acceptedMs) {
            this.channel = channel;
            this.address = address;
            this.acceptedMs = acceptedMs;
        }
    }

    private final PeerLimits limits;
    private final TransportCounters counters;
    private final ThrottledLog cuts = new ThrottledLog(LOG, 20, 60_000);
    private final Map<SelectableChannel, Connection> byChannel = new HashMap<>();
    private final Map<String, Connection> byAddress = new HashMap<>();
    /** Connections without a valid message yet, oldest first. */
    private final Map<SelectableChannel, Connection> handshaking = new LinkedHashMap<>();
    private long lastSweepMs = nowMs();

    PeerWatch(PeerLimits limits, TransportCounters counters) {
        this.limits = limits;
        this.counters = counters;
    }

    @Override
    public synchronized void consume(zmq.ZMQ.Event event) {
        if (!(event.arg instanceof SocketChannel channel)) {
            return;
        }
        if (event.event != zmq.ZMQ.ZMQ_EVENT_ACCEPTED) {
            forget(channel);
            return;
        }
        Connection c = new Connection(channel, addressOf(channel), nowMs());
        if (byChannel.size() >= limits.maxPeers()) {
            cut(c, TransportCounters.CONNECTIONS_REFUSED, limits.maxPeers() + " connections are open already");
            return;
        }
        byChannel.put(channel, c);
        byAddress.put(c.address, c);
        handshaking.put(channel, c);
        if (handshaking.size() > limits.maxHandshakes()) {
            Iterator<Connection> oldest = handshaking.values().iterator();
            Connection first = oldest.next();
            oldest.remove();
            cut(first, TransportCounters.CONNECTIONS_CUT, limits.maxHandshakes() + " newer connections are in their handshake");
        }
    }

    /** A valid message came in on the connection from {@code address}. */
    synchronized void heard(String address, PeerRole role, long nowMs) {
        Connection c = byAddress.get(address);
        if (c == null) {
            return;
        }
        if (c.lastHeardMs == 0) {
            handshaking.remove(c.channel);
        }
        c.lastHeardMs = nowMs;
        c.exempt = role == PeerRole.ADMIN;
    }

    /** Cuts the connection from {@code address}, if it is open, for the reason given. */
    synchronized void cut(String address, String why) {
        Connection c = byAddress.get(address);
        if (c != null && !c.cut) {
            cut(c, TransportCounters.CONNECTIONS_CUT, why);
        }
    }

    /**
     * Cuts the connections past their handshake deadline or silence limit, and forgets closed
     * ones whose close event was missed. A time the endpoint was not sweeping (its process
     * frozen, say) is not counted against the peers: what they sent meanwhile was not read.
     *
     * @param silenceMs how long a non-admin connection may stay silent
     */
    synchronized void sweep(long nowMs, long silenceMs) {
        long away = nowMs - lastSweepMs - 1_000;
        lastSweepMs = nowMs;
        Iterator<Connection> it = byChannel.values().iterator();
        while (it.hasNext()) {
            Connection c = it.next();
            if (away > 0) {
                c.acceptedMs += away;
                c.lastHeardMs += c.lastHeardMs == 0 ? 0 : away;
            }
            if (!c.channel.isOpen()) {
                it.remove();
                byAddress.remove(c.address, c);
                handshaking.remove(c.channel);
            } else if (c.cut) {
                continue;
            } else if (c.lastHeardMs == 0 && nowMs - c.acceptedMs > limits.handshakeMs()) {
                handshaking.remove(c.channel);
                cut(c, TransportCounters.CONNECTIONS_CUT, "no valid message " + limits.handshakeMs()
                        + " ms after it was accepted");
            } else if (c.lastHeardMs != 0 && !c.exempt && nowMs - c.lastHeardMs > silenceMs) {
                cut(c, TransportCounters.CONNECTIONS_CUT, "silent for " + (nowMs - c.lastHeardMs)
                        + " ms (or sending a message that never ends)");
            }
        }
    }

    /** Open connections, and those of them still in their handshake. */
    synchronized int[] open() {
        return new int[] {byChannel.size(), handshaking.size()};
    }

    static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    private void forget(SocketChannel channel) {
        Connection c = byChannel.remove(channel);
        handshaking.remove(channel);
        if (c != null) {
            byAddress.remove(c.address, c);
        }
    }

    private void cut(Connection c, String counter, String why) {
        c.cut = true;
        counters.increment(counter);
        try {
            c.channel.shutdownInput();
        } catch (IOException | RuntimeException e) {
            // closed meanwhile: nothing left to cut
        }
        cuts.warn((TransportCounters.CONNECTIONS_REFUSED.equals(counter) ? "refused a connection from "
                : "cut the connection from ") + c.address + ": " + why);
    }

    /** As JeroMQ writes it in {@code Peer-Address}. */
    static String addressOf(SocketChannel channel) {
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress a) {
                return a.getAddress().getHostAddress() + ":" + a.getPort();
            }
        } catch (IOException | RuntimeException e) {
            // closed already
        }
        return "?";
    }
}
