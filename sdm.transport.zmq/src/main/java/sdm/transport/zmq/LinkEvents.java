package sdm.transport.zmq;

import java.util.logging.Logger;

import org.zeromq.ZMQ;

/**
 * What the monitor of one session's socket says: whether the master refused the handshake
 * (by a failure event, or by closing new connections early), and, logged once, that it
 * refused the join key, that it cannot be reached, or that the connection closed. The leading
 * link thread only.
 */
final class LinkEvents {

    /** The events a session's socket reports to its monitor. */
    static final int MONITORED = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_CONNECT_RETRIED | ZMQ.EVENT_DISCONNECTED
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    private static final Logger LOG = Logger.getLogger("sdm.transport");
    /**
     * Connections closed soon after they opened and before the welcome, taken as a refusal when
     * no failure event came. "Soon" is what tells a refusal from a master that is frozen or busy,
     * whose connections close only when the handshake interval runs out.
     */
    private static final int CLOSES_MEANING_REFUSAL = 3;

    private final String master;
    private final long handshakeMs;
    private int closesBeforeWelcome;
    private long connectedAtMs;
    private boolean retryLogged;
    private boolean refusalLogged;
    private boolean disconnected;
    /** A dial that found no one listening, or a connection closed: of replicated masters, the next is tried. */
    private boolean unreachable;
    private boolean closed;

    LinkEvents(String master, long handshakeMs) {
        this.master = master;
        this.handshakeMs = handshakeMs;
    }

    /**
     * Reads every waiting event; true if one of them means the master refused this node's own
     * key. A refusal of the join key ({@code enrolling}) is logged, once.
     */
    boolean ownKeyRefused(ZMQ.Socket monitor, boolean welcomed, boolean connected, boolean enrolling) {
        boolean refused = false;
        ZMQ.Event event;
        while ((event = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
            int e = event.getEvent();
            long now = System.currentTimeMillis();
            if (e == ZMQ.EVENT_CONNECTED) {
                connectedAtMs = now;
            } else if (e == ZMQ.EVENT_DISCONNECTED) {
                disconnected = true;
                closed = true;
            } else if (e == ZMQ.EVENT_CONNECT_RETRIED) {
                unreachable = true;
            }
            boolean closedEarly = e == ZMQ.EVENT_DISCONNECTED && !welcomed && now - connectedAtMs < handshakeMs / 2
                    && ++closesBeforeWelcome >= CLOSES_MEANING_REFUSAL;
            if (closedEarly || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                    || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                    || e == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
                refused = true;
            } else if (e == ZMQ.EVENT_CONNECT_RETRIED) {
                if (!retryLogged) {
                    retryLogged = true;
                    LOG.warning("cannot reach master " + master + "; retrying");
                }
            } else if (e == ZMQ.EVENT_DISCONNECTED && connected) {
                LOG.info("connection to master " + master + " closed");
            }
        }
        if (refused && enrolling && !refusalLogged) {
            refusalLogged = true;
            LOG.severe("master " + master + " refused the handshake: wrong join token, or another master at that address");
        }
        return refused && !enrolling;
    }

    /** Whether a connection of this socket closed since the last time this was asked. */
    boolean disconnectedSinceAsked() {
        boolean was = disconnected;
        disconnected = false;
        return was;
    }

    /**
     * Whether this master is gone for a slave that has others to try: no one listened when it
     * dialed before the welcome, or its connection closed after it.
     */
    boolean gone(boolean welcomed) {
        boolean was = welcomed ? closed : unreachable;
        closed = false;
        unreachable = false;
        return was;
    }
}
