package sdm.transport.zmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands work from any thread to the one thread that owns a socket. Items go into a queue;
 * a byte on a {@link Pipe} wakes the owner's poller, at most one byte per drain.
 */
final class Outbox<T> implements AutoCloseable {

    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Pipe pipe;
    private final ByteBuffer drainBuffer = ByteBuffer.allocate(64);

    Outbox() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a wake-up pipe", e);
        }
    }

    /** The channel the owner registers with its poller. */
    Pipe.SourceChannel wakeChannel() {
        return pipe.source();
    }

    void offer(T item) {
        queue.add(item);
        if (signalled.compareAndSet(false, true)) {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                // closed: the owner has stopped and will not read the queue again
            }
        }
    }

    /** Owner thread only: clears the wake-up and hands every queued item to {@code sink}. */
    void drain(Consumer<T> sink) {
        try {
            drainBuffer.clear();
            while (pipe.source().read(drainBuffer) > 0) {
                drainBuffer.clear();
            }
        } catch (IOException e) {
            // closed under us: nothing left to read
        }
        signalled.set(false);
        T item;
        while ((item = queue.poll()) != null) {
            sink.accept(item);
        }
    }

    @Override
    public void close() {
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException e) {
            // nothing to do on close
        }
    }
}
