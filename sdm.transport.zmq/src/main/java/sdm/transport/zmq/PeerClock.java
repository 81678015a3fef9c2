package sdm.transport.zmq;

import sdm.api.node.MonotonicClock;

/**
 * The offset between a peer's clock and ours, measured from the messages it sends: each gives
 * {@code arrival - sentMs} = offset + time in transit, so the smallest is the best estimate.
 * Machines' clocks may differ by any amount. The estimate follows a smaller sample at once and
 * rises by at most {@link #RISE_PER_SECOND} of the time between two arrivals, counting at most
 * {@link #MAX_GAP_MS} of any gap: a backlog read all at once after a freeze (every sample late)
 * cannot pass its messages off as fresh, while a peer whose clock was set back is followed.
 * Both ends stamp and time messages with {@link MonotonicClock}, so a step of a machine's
 * clock does not move it. Not thread-safe: one per peer, used on the socket's thread.
 */
final class PeerClock {

    /** 10 ms per second of traffic. */
    static final double RISE_PER_SECOND = 0.010;
    /** A gap in traffic (a freeze, a partition) credits the rise with this much at most. */
    static final long MAX_GAP_MS = 2_000;

    private boolean measured;
    private double offset;
    private long lastArrival;

    /** Records a message sent at {@code sentMs} (the peer's clock) that arrived at {@code arrivalMs} (ours). */
    void sample(long sentMs, long arrivalMs) {
        if (sentMs <= 0) {
            return;
        }
        long sample = arrivalMs - sentMs;
        if (!measured || sample <= offset) {
            offset = sample;
        } else {
            long gap = Math.min(MAX_GAP_MS, Math.max(0, arrivalMs - lastArrival));
            offset = Math.min(sample, offset + gap * RISE_PER_SECOND);
        }
        measured = true;
        lastArrival = arrivalMs;
    }

    /** The peer's clock now, as far as we can tell. */
    long senderNow(long ourNowMs) {
        return ourNowMs - Math.round(offset);
    }

    /** Whether any message has been measured: before that, nothing can be judged expired. */
    boolean measured() {
        return measured;
    }
}
