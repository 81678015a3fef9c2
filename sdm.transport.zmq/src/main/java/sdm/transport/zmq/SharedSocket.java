package sdm.transport.zmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.zeromq.ZMQ;

/**
 * A ZeroMQ socket that one thread waits on and any thread may use, one at a time. ZeroMQ
 * sockets are not thread-safe, so this one is touched only under a lock, which the waiting
 * thread does not hold while it waits: a caller sends at once instead of handing its message
 * to the waiting thread and waking it. The socket's file descriptor signals commands, not
 * messages, and any use of the socket may consume a signal; so the waiter looks at the
 * socket's events before it waits, and a thread that used the socket wakes the waiter when it
 * leaves input waiting. {@code ownerOnly} sockets (a monitor, say) are watched too and used by
 * the waiting thread alone.
 */
final class SharedSocket implements AutoCloseable {

    private final ZMQ.Socket socket;
    private final List<ZMQ.Socket> ownerOnly;
    private final ReentrantLock lock = new ReentrantLock();
    private final Selector selector;
    private final SelectionKey socketKey;
    /** The thread that waits; it needs no wake-up after its own uses. */
    private volatile Thread waiter;
    /** Under the lock. */
    private boolean closed;

    SharedSocket(ZMQ.Socket socket, ZMQ.Socket... ownerOnly) {
        this.socket = socket;
        this.ownerOnly = List.of(ownerOnly);
        try {
            selector = Selector.open();
            socketKey = socket.getFD().register(selector, SelectionKey.OP_READ);
            for (ZMQ.Socket s : ownerOnly) {
                s.getFD().register(selector, SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch a socket", e);
        }
    }

    /**
     * The waiting thread: returns when the socket (or an owner-only one) may have input, after
     * {@link #wake()}, or after {@code ms} (at once for 0). It may return early: the caller
     * then finds nothing to read and waits again. True if an owner-only socket may have input.
     */
    boolean await(long ms) {
        waiter = Thread.currentThread();
        for (ZMQ.Socket s : ownerOnly) {
            if ((s.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                return true;
            }
        }
        if (inputWaiting()) {
            return false;
        }
        boolean ownerReady = false;
        try {
            if (ms <= 0) {
                selector.selectNow();
            } else {
                selector.select(ms);
            }
            for (SelectionKey key : selector.selectedKeys()) {
                ownerReady |= key != socketKey;
            }
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            // closed while waiting: the owner finds the socket closed
        } catch (IOException e) {
            throw new UncheckedIOException("waiting on a socket failed", e);
        }
        return ownerReady;
    }

    /** Ends the waiter's current or next {@link #await}. */
    void wake() {
        try {
            selector.wakeup();
        } catch (ClosedSelectorException e) {
            // nobody waits any more
        }
    }

    /** Whether a message waits to be read. */
    boolean inputWaiting() {
        lock.lock();
        try {
            return !closed && (socket.getEvents() & ZMQ.Poller.POLLIN) != 0;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code op} on the socket, waiting for the lock; {@code ifClosed} once the socket is closed. */
    <T> T use(Function<ZMQ.Socket, T> op, T ifClosed) {
        lock.lock();
        try {
            return closed ? ifClosed : run(op);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code op} on the socket if nobody else is using it; otherwise, or once the socket is
     * closed, returns {@code ifBusy} at once.
     */
    <T> T tryUse(Function<ZMQ.Socket, T> op, T ifBusy) {
        if (!lock.tryLock()) {
            return ifBusy;
        }
        try {
            return closed ? ifBusy : run(op);
        } finally {
            lock.unlock();
        }
    }

    private <T> T run(Function<ZMQ.Socket, T> op) {
        try {
            return op.apply(socket);
        } finally {
            if (Thread.currentThread() != waiter && (socket.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                wake();
            }
        }
    }

    /** Stops every further use; the socket itself is its context's to destroy. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to do on close
        }
    }
}
