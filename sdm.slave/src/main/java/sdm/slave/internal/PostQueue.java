package sdm.slave.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

import sdm.transport.zmq.Message;
import sdm.transport.zmq.Post;

/**
 * Posts from the programs' C code on their way to the master, in the order they were made, in
 * batches ({@link Message.Posts}) that a thread of the queue's own sends while the master is
 * connected. A post waits here until the master acknowledges it ({@link Message.PostAck}):
 * at most {@link #CAPACITY} posts (and {@link #MAX_HELD_BYTES} of arguments) for the whole
 * slave, the oldest waiting dropped first, and each for at most its time to live. Batches sent
 * and not acknowledged are sent again, first, in a new session (the master drops what it has
 * seen). Every drop is counted. Thread-safe.
 * <p>
 * At most {@link #WINDOW} batches are unacknowledged at a time: the master's queue from one
 * connection must never fill, since JeroMQ loses a message each time a full CURVE connection
 * resumes. Posts are many and small, so a batch waits up to its linger for more to join it.
 */
final class PostQueue implements AutoCloseable {

    static final int CAPACITY = 10_000;
    static final long MAX_HELD_BYTES = 16L << 20;
    static final int WINDOW = 64;
    static final int BATCH_POSTS = Message.Posts.MAX_POSTS;
    /** Arguments in one batch, at most: a batch of them stays well within a frame. */
    static final int BATCH_BYTES = 256 << 10;
    static final long LINGER_MS = 5;
    private static final Logger LOG = Logger.getLogger("sdm.slave");

    /** A post and the size of its arguments' JSON. */
    private record Held(Post post, int bytes) {
    }

    private final long epoch;
    private final Consumer<Message> toMaster;
    private final JsCounters counters;
    private final LongSupplier clockMs;
    private final long lingerNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a batch may be ready: posts arrived, a full batch is waiting, the window opened, a session began. */
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Held> waiting = new ArrayDeque<>();
    private final ArrayDeque<Held> unacknowledged = new ArrayDeque<>();
    /** The last seq of each batch sent and not acknowledged, oldest first. */
    private final ArrayDeque<Long> window = new ArrayDeque<>();
    private long nextSeq = 1;
    private long waitingBytes;
    private long heldBytes;
    /** When the posts now waiting began to linger. */
    private long lingerSinceNanos;
    private boolean connected;
    private boolean closed;
    private Thread sender;

    /**
     * @param epoch    this run of the slave, as its events have
     * @param clockMs  the time posts are stamped and expire by ({@code MonotonicClock::nowMs})
     * @param lingerMs how long a batch that is not full waits for more posts
     */
    PostQueue(long epoch, Consumer<Message> toMaster, JsCounters counters, LongSupplier clockMs, long lingerMs) {
        this.epoch = epoch;
        this.toMaster = toMaster;
        this.counters = counters;
        this.clockMs = clockMs;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
    }

    /**
     * Queues a post of {@code function} of {@code program} worth delivering for {@code ttlMs};
     * {@code bytes} is the size of its arguments' JSON. False once the queue is closed.
     */
    boolean offer(String program, String function, List<Object> args, int bytes, long ttlMs) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            while (waiting.size() + unacknowledged.size() >= CAPACITY || heldBytes + bytes > MAX_HELD_BYTES) {
                if (!dropOldest()) {
                    break;
                }
            }
            Held h = new Held(new Post(nextSeq++, program, function, args, clockMs.getAsLong(), ttlMs), bytes);
            waiting.addLast(h);
            waitingBytes += bytes;
            heldBytes += bytes;
            counters.add(program, JsCounters.Kind.POSTS_QUEUED, 1);
            if (sender == null) {
                sender = Thread.ofPlatform().name("sdm-posts").daemon().start(this::send);
            }
            if (waiting.size() == 1) {
                lingerSinceNanos = System.nanoTime();
                work.signal();
            } else if (waiting.size() == BATCH_POSTS || waitingBytes >= BATCH_BYTES) {
                work.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the oldest post not yet sent, or else the oldest not acknowledged; false if there is none. */
    private boolean dropOldest() {
        Held h = waiting.pollFirst();
        if (h != null) {
            waitingBytes -= h.bytes;
        } else {
            h = unacknowledged.pollFirst();
            if (h == null) {
                return false;
            }
            freeWindow();
        }
        heldBytes -= h.bytes;
        counters.add(h.post.program(), JsCounters.Kind.POSTS_DROPPED, 1);
        return true;
    }

    /** The sender's loop: a batch whenever one is ready, until closed. */
    private void send() {
        while (true) {
            Message.Posts batch;
            lock.lock();
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (batch == null) {
                return;
            }
            try {
                toMaster.accept(batch);
            } catch (RuntimeException e) {
                LOG.warning("sending " + batch.posts().size() + " posts failed: " + e);
            }
        }
    }

    /** Waits until a batch is ready and takes it; null once closed. */
    private Message.Posts nextBatch() throws InterruptedException {
        while (!closed) {
            if (!connected || waiting.isEmpty()) {
                work.await();
                continue;
            }
            if (window.size() >= WINDOW) {
                dropExpired(unacknowledged, clockMs.getAsLong());
                freeWindow();
                if (window.size() >= WINDOW) {
                    // an acknowledgement wakes it; the timeout lets posts expire out of the window
                    work.await(1, TimeUnit.SECONDS);
                }
                continue;
            }
            long lingered = System.nanoTime() - lingerSinceNanos;
            if (waiting.size() < BATCH_POSTS && waitingBytes < BATCH_BYTES && lingered < lingerNanos) {
                work.awaitNanos(lingerNanos - lingered);
                continue;
            }
            List<Post> posts = take(clockMs.getAsLong());
            if (!posts.isEmpty()) {
                return new Message.Posts(epoch, posts);
            }
        }
        return null;
    }

    /** The next batch of waiting posts, those expired left out; it enters the window. */
    private List<Post> take(long nowMs) {
        List<Post> out = new ArrayList<>(Math.min(waiting.size(), BATCH_POSTS));
        long bytes = 0;
        while (!waiting.isEmpty() && out.size() < BATCH_POSTS) {
            Held h = waiting.peekFirst();
            if (!out.isEmpty() && bytes + h.bytes > BATCH_BYTES) {
                break;
            }
            waiting.removeFirst();
            waitingBytes -= h.bytes;
            if (expired(h, nowMs)) {
                heldBytes -= h.bytes;
                counters.add(h.post.program(), JsCounters.Kind.POSTS_EXPIRED, 1);
                continue;
            }
            out.add(h.post);
            bytes += h.bytes;
            unacknowledged.addLast(h);
        }
        if (!out.isEmpty()) {
            window.addLast(out.get(out.size() - 1).seq());
        }
        lingerSinceNanos = System.nanoTime();
        return out;
    }

    /** The master has every post up to {@code upTo} of this run. */
    void acknowledge(long ackEpoch, long upTo) {
        lock.lock();
        try {
            if (ackEpoch != epoch) {
                return;
            }
            boolean wasFull = window.size() >= WINDOW;
            String program = null;
            long run = 0;
            while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().post.seq() <= upTo) {
                Held h = unacknowledged.removeFirst();
                heldBytes -= h.bytes;
                // counted by runs of one program: posts of one program mostly come together
                if (!h.post.program().equals(program)) {
                    countSent(program, run);
                    program = h.post.program();
                    run = 0;
                }
                run++;
            }
            countSent(program, run);
            while (!window.isEmpty() && window.peekFirst() <= upTo) {
                window.removeFirst();
            }
            if (wasFull && window.size() < WINDOW) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void countSent(String program, long n) {
        if (n > 0) {
            counters.add(program, JsCounters.Kind.POSTS_SENT, n);
        }
    }

    /** A new session: what was sent and not acknowledged may be lost; it goes out again, first. */
    void onConnected() {
        lock.lock();
        try {
            long now = clockMs.getAsLong();
            for (Iterator<Held> back = unacknowledged.descendingIterator(); back.hasNext();) {
                Held h = back.next();
                waiting.addFirst(h);
                waitingBytes += h.bytes;
            }
            unacknowledged.clear();
            window.clear();
            dropExpired(waiting, now);
            connected = true;
            lingerSinceNanos = System.nanoTime() - lingerNanos; // what waited while the master was away goes at once
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    void onDisconnected() {
        lock.lock();
        try {
            connected = false;
        } finally {
            lock.unlock();
        }
    }

    private boolean expired(Held h, long nowMs) {
        return nowMs - h.post.atMs() >= h.post.ttlMs();
    }

    private void dropExpired(ArrayDeque<Held> posts, long nowMs) {
        for (Iterator<Held> it = posts.iterator(); it.hasNext();) {
            Held h = it.next();
            if (expired(h, nowMs)) {
                it.remove();
                heldBytes -= h.bytes;
                if (posts == waiting) {
                    waitingBytes -= h.bytes;
                }
                counters.add(h.post.program(), JsCounters.Kind.POSTS_EXPIRED, 1);
            }
        }
    }

    /** Batches whose posts all left the queue unacknowledged (expired, dropped) leave the window. */
    private void freeWindow() {
        while (!window.isEmpty()
                && (unacknowledged.isEmpty() || unacknowledged.peekFirst().post.seq() > window.peekFirst())) {
            window.removeFirst();
        }
    }

    /** Posts waiting to be sent. */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Batches sent and not acknowledged. */
    int unacknowledgedBatches() {
        lock.lock();
        try {
            return window.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        Thread s;
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            s = sender;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            try {
                s.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
