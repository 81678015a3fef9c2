package sdm.slave.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import sdm.transport.zmq.Message;

/**
 * Events the slave's programs raise (their log lines and errors), on their way to the master.
 * An event waits here until the master acknowledges it: while the master is away, at most
 * {@code capacity} of them (the oldest is dropped first) and each for at most {@code ttlMs}
 * after it was raised. Sent events the master has not acknowledged are sent again after a
 * reconnection (the master drops one it has seen), in order. Every drop is counted. Thread-safe.
 */
final class EventQueue {

    /**
     * Events sent and not yet acknowledged, at most: the master's queue from one connection must
     * never fill, since JeroMQ loses a message each time a full CURVE connection resumes.
     */
    static final int IN_FLIGHT = 64;

    private final int capacity;
    private final long ttlMs;
    /** This run of the slave: the master tells its events from those of an earlier run. */
    private final long epoch;
    private final Deque<Message.Event> waiting = new ArrayDeque<>();
    private final Deque<Message.Event> unacknowledged = new ArrayDeque<>();
    private long nextSeq = 1;
    private long raised;
    private long delivered;
    private long expired;
    private long overflowed;

    EventQueue(int capacity, long ttlMs, long epoch) {
        if (capacity < 1 || ttlMs < 1 || epoch < 1) {
            throw new IllegalArgumentException("an event queue needs a capacity, a time to live and an epoch of at least 1");
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.epoch = epoch;
    }

    synchronized void raise(String program, String level, String text, long nowMs) {
        String clipped = text.length() > Message.Event.MAX_TEXT ? text.substring(0, Message.Event.MAX_TEXT) : text;
        raised++;
        if (waiting.size() + unacknowledged.size() >= capacity) {
            (unacknowledged.isEmpty() ? waiting : unacknowledged).removeFirst();
            overflowed++;
        }
        waiting.addLast(new Message.Event(epoch, nextSeq++, program, level, clipped, nowMs, ttlMs));
    }

    /**
     * Hands waiting events still worth delivering to {@code send}, oldest first, up to
     * {@link #IN_FLIGHT} unacknowledged; they wait for their acknowledgement. One that expires
     * unacknowledged (the master drops an expired message without a word) leaves the window.
     */
    void drain(long nowMs, Consumer<Message.Event> send) {
        Deque<Message.Event> out = new ArrayDeque<>();
        synchronized (this) {
            dropExpired(unacknowledged, nowMs);
            dropExpired(waiting, nowMs);
            while (!waiting.isEmpty() && unacknowledged.size() < IN_FLIGHT) {
                Message.Event e = waiting.removeFirst();
                out.add(e);
                unacknowledged.add(e);
            }
        }
        out.forEach(send);
    }

    /** The master has every event up to {@code upTo} of this run. */
    synchronized void acknowledge(long ackEpoch, long upTo) {
        if (ackEpoch != epoch) {
            return;
        }
        while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().seq() <= upTo) {
            unacknowledged.removeFirst();
            delivered++;
        }
    }

    /** A new session: what was sent and not acknowledged may be lost; it goes out again, first. */
    synchronized void resendUnacknowledged(long nowMs) {
        dropExpired(unacknowledged, nowMs);
        Iterator<Message.Event> back = unacknowledged.descendingIterator();
        while (back.hasNext()) {
            waiting.addFirst(back.next());
        }
        unacknowledged.clear();
    }

    private void dropExpired(Deque<Message.Event> events, long nowMs) {
        for (Iterator<Message.Event> it = events.iterator(); it.hasNext();) {
            if (nowMs - it.next().atMs() >= ttlMs) {
                it.remove();
                expired++;
            }
        }
    }

    synchronized int size() {
        return waiting.size() + unacknowledged.size();
    }

    synchronized Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("eventsRaised", raised);
        out.put("eventsSent", delivered);
        out.put("eventsExpired", expired);
        out.put("eventsOverflowed", overflowed);
        out.put("eventsWaiting", (long) (waiting.size() + unacknowledged.size()));
        return out;
    }
}
