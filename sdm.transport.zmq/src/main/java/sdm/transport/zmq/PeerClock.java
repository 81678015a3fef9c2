package sdm.transport.zmq;

/**
 * The offset between a peer's clock and ours, measured from the messages it sends: each gives
 * {@code arrival - sentMs} = offset + time in transit, so the smallest is the best estimate.
 * Machines' clocks may differ by any amount. The estimate follows a smaller sample at once and
 * rises by at most {@link #RISE_PER_SECOND} of each second of our time, so that a backlog read
 * all at once after a freeze (every sample late) cannot pass its messages off as fresh, while
 * a peer whose clock was set back is followed within minutes. Not thread-safe: one per peer,
 * used on the socket's thread.
 */
final class PeerClock {

    /** 10 ms per second: a backlog read within a second moves the estimate by 10 ms at most. */
    static final double RISE_PER_SECOND = 0.010;

    private boolean measured;
    private long offset;
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
            long allowed = (long) (Math.max(0, arrivalMs - lastArrival) * RISE_PER_SECOND);
            offset = Math.min(sample, offset + allowed);
        }
        measured = true;
        lastArrival = arrivalMs;
    }

    /** The peer's clock now, as far as we can tell. */
    long senderNow(long ourNowMs) {
        return ourNowMs - offset;
    }

    boolean measured() {
        return measured;
    }
}
