package sdm.transport.zmq;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands work from any thread to the one thread that owns a socket, for what cannot be done
 * on the socket at once (another thread holds it). Items go into a queue; the owner is woken
 * at most once per drain.
 */
final class Outbox<T> {

    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Runnable wake;

    /** @param wake ends the owner's wait */
    Outbox(Runnable wake) {
        this.wake = wake;
    }

    void offer(T item) {
        queue.add(item);
        if (signalled.compareAndSet(false, true)) {
            wake.run();
        }
    }

    /** Whether nothing waits: a sender that finds items waiting queues behind them, to keep its order. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Owner thread only: hands every queued item to {@code sink}. */
    void drain(Consumer<T> sink) {
        signalled.set(false);
        T item;
        while ((item = queue.poll()) != null) {
            sink.accept(item);
        }
    }
}
