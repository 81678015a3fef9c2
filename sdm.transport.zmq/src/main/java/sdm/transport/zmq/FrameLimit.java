package sdm.transport.zmq;

import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/**
 * Sees the size of every frame that JeroMQ decodes from a peer of the master's ROUTER (handshake
 * commands included), before the frame's buffer is allocated, and refuses impossible ones.
 * <p>
 * JeroMQ 0.6.0 refuses a frame over the socket's maximum message size itself, but reads the
 * 64-bit size of a large frame as a signed number: a size with its top bit set passes that check
 * and is cut to its low 32 bits, which may be negative (the allocation throws in the I/O thread
 * and the connection hangs with its buffer) or close to 2 GiB (allocated at once, before a byte
 * of the frame has come). Such a size reaches this allocator as a negative number or one over
 * the limit; the frame is then given an empty buffer. An empty frame is neither a CURVE command
 * nor a CURVE message, so the engine fails the connection with a protocol error, the way it
 * fails one whose frame is oversized. A top-bit size whose low 32 bits are within the limit is
 * read as that smaller size: no more memory than an honest frame of it.
 * <p>
 * Called on JeroMQ's I/O threads: stateless but for the counter.
 */
final class FrameLimit implements MsgAllocator {

    private static final MsgAllocator JEROMQ = new MsgAllocatorThreshold();

    private final long maxFrameBytes;
    private final TransportCounters counters;

    FrameLimit(long maxFrameBytes, TransportCounters counters) {
        this.maxFrameBytes = maxFrameBytes;
        this.counters = counters;
    }

    @Override
    public Msg allocate(int size) {
        if (size < 0 || size > maxFrameBytes) {
            counters.increment(TransportCounters.FRAMES_REFUSED);
            return new Msg(0);
        }
        return JEROMQ.allocate(size);
    }
}
