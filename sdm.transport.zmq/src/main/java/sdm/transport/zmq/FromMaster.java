package sdm.transport.zmq;

import java.util.logging.Logger;

import org.zeromq.ZMQ;

import sdm.api.node.MonotonicClock;
import sdm.api.node.ThrottledLog;

/**
 * What a slave's link does with each message it reads from its master: decodes it, drops it if
 * malformed or expired on the way (a call also when too little of its caller's timeout is left
 * for the answer to arrive in time), and gives a call what is left of that timeout on this
 * node's clock. The leading link thread only.
 */
final class FromMaster {

    private static final Logger LOG = Logger.getLogger("sdm.transport");
    /** A call with less than this left of its timeout when it arrives is dropped unrun. */
    static final long CALL_MARGIN_MS = 50;

    /** One message as read: its first frame, its second (or null), and how many frames it had. */
    record Frames(byte[] frame, byte[] data, int count) {
    }

    private final MessageCodec codec;
    private final TransportCounters counters;
    private final ThrottledLog expiredLog = new ThrottledLog(LOG, 5, 10_000);
    /** The master's clock against ours, measured anew in each session (the master may have changed). */
    private PeerClock clock = new PeerClock();

    FromMaster(MessageCodec codec, TransportCounters counters) {
        this.codec = codec;
        this.counters = counters;
    }

    /** Reads one message if one waits, with the socket held. */
    static Frames read(ZMQ.Socket d) {
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

    /** A new connection, perhaps to another master: its clock is measured afresh. */
    void newSession() {
        clock = new PeerClock();
    }

    /** The message, or null if it was dropped (counted and logged). */
    Message open(Frames read) {
        counters.increment(TransportCounters.MESSAGES_IN);
        MessageCodec.Received in;
        try {
            if (read.count() > 2) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                        read.count() + " frames, expected 1 or 2");
            }
            in = codec.open(read.frame(), read.data());
        } catch (InvalidMessageException e) {
            counters.dropped(e.reason());
            LOG.warning("dropped a message from the master: " + e.getMessage());
            return null;
        }
        long now = MonotonicClock.nowMs();
        boolean expired = Expiry.expired(in, clock, now);
        clock.sample(in.sentMs(), now);
        Message m = in.message();
        if (!expired && m instanceof Message.Call && in.expiresMs() != 0 && clock.measured()
                && in.expiresMs() - clock.senderNow(now) < CALL_MARGIN_MS) {
            // its answer could not reach the caller in time: running it would only surprise
            expired = true;
        }
        if (expired) {
            counters.increment(TransportCounters.DROPPED_EXPIRED);
            expiredLog.warn("dropped an expired " + m.getClass().getSimpleName() + " from the master");
            return null;
        }
        if (m instanceof Message.Call c && in.expiresMs() != 0) {
            // what is left of the caller's timeout, on our clock: the call is dropped unrun after it
            long left = Math.max(1, in.expiresMs() - clock.senderNow(now));
            return new Message.Call(c.callId(), c.program(), c.function(), c.args(), Math.min(c.timeoutMs(), left));
        }
        return m;
    }
}
