package sdm.slave.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import sdm.transport.zmq.Message;

/**
 * Events the slave's programs raise (their log lines and errors), on their way to the master.
 * While the master is away they wait here: at most {@code capacity} (the oldest is dropped
 * first) and each for at most {@code ttlMs} after it was raised; on reconnection what has not
 * expired is sent, in order. Every drop is counted. Thread-safe.
 */
final class EventQueue {

    private final int capacity;
    private final long ttlMs;
    private final Deque<Message.Event> waiting = new ArrayDeque<>();
    private long raised;
    private long sent;
    private long expired;
    private long overflowed;

    EventQueue(int capacity, long ttlMs) {
        if (capacity < 1 || ttlMs < 1) {
            throw new IllegalArgumentException("an event queue needs a capacity and a time to live of at least 1");
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
    }

    synchronized void raise(String program, String level, String text, long nowMs) {
        String clipped = text.length() > Message.Event.MAX_TEXT ? text.substring(0, Message.Event.MAX_TEXT) : text;
        raised++;
        if (waiting.size() >= capacity) {
            waiting.removeFirst();
            overflowed++;
        }
        waiting.addLast(new Message.Event(program, level, clipped, nowMs, ttlMs));
    }

    /** Hands every event still worth delivering to {@code send}, oldest first, and empties the queue. */
    void drain(long nowMs, Consumer<Message.Event> send) {
        Deque<Message.Event> out;
        synchronized (this) {
            out = new ArrayDeque<>(waiting.size());
            for (Message.Event e : waiting) {
                if (nowMs - e.atMs() >= ttlMs) {
                    expired++;
                } else {
                    out.addLast(e);
                }
            }
            waiting.clear();
            sent += out.size();
        }
        out.forEach(send);
    }

    synchronized int size() {
        return waiting.size();
    }

    synchronized Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("eventsRaised", raised);
        out.put("eventsSent", sent);
        out.put("eventsExpired", expired);
        out.put("eventsOverflowed", overflowed);
        out.put("eventsWaiting", (long) waiting.size());
        return out;
    }
}
