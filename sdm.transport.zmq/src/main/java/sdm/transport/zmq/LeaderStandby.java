package sdm.transport.zmq;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import sdm.api.node.ThrottledLog;

/**
 * The threads of a socket loop that may run short work itself: one leads (runs the loop); the
 * other stands by. While the leader runs a piece of work ({@link #beginWork} to
 * {@link #endWork}), the standby looks every {@link #GUARD_MS} ms, and when the same piece is
 * still running on two looks in a row, it takes the lead: the loop goes on (heartbeats above
 * all), and the former leader, once its work returns, becomes the standby. A standby that
 * sees no work for 30 s ends; the next work starts another.
 */
final class LeaderStandby {

    static final long GUARD_MS = 200;
    private static final long IDLE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long TAKEN = -1;
    private static final Logger LOG = Logger.getLogger("sdm.transport");

    private final ThreadFactory factory;
    private final Runnable loop;
    private final Runnable onTakeover;
    private final ThrottledLog takeovers = new ThrottledLog(LOG, 5, 60_000);
    private volatile Thread leader;
    private volatile Thread standby;
    /** The piece of work the leader runs: its number, 0 for none, {@link #TAKEN} once the standby took the lead. */
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong pieces = new AtomicLong();
    private volatile boolean open = true;

    /**
     * @param loop       run by the leader; returns once this is closed or the calling thread no longer leads
     * @param onTakeover run by the standby each time it takes the lead
     */
    LeaderStandby(ThreadFactory factory, Runnable loop, Runnable onTakeover) {
        this.factory = factory;
        this.loop = loop;
        this.onTakeover = onTakeover;
    }

    void start() {
        Thread first = factory.newThread(this::live);
        leader = first;
        first.start();
    }

    /** Whether the calling thread leads. */
    boolean leading() {
        return leader == Thread.currentThread();
    }

    /** The leader, before it runs a piece of work itself: returns its ticket for {@link #endWork}. */
    long beginWork() {
        long ticket = pieces.incrementAndGet();
        running.set(ticket);
        if (standby == null) {
            startStandby();
        }
        return ticket;
    }

    /** After the work: true if the calling thread still leads, false if the standby took the lead meanwhile. */
    boolean endWork(long ticket) {
        return running.compareAndSet(ticket, 0);
    }

    private synchronized void startStandby() {
        if (standby == null && open) {
            Thread t = factory.newThread(this::live);
            standby = t;
            t.start();
        }
    }

    private void live() {
        Thread me = Thread.currentThread();
        while (open) {
            if (leader == me) {
                loop.run();
                if (leader == me) {
                    return; // the loop ended while leading: closed
                }
            } else if (!standBy(me)) {
                return;
            }
        }
    }

    /** Until this thread takes the lead (true) or is not needed (false). */
    private boolean standBy(Thread me) {
        synchronized (this) {
            if (standby != null && standby != me) {
                return false; // another standby was started meanwhile
            }
            standby = me;
        }
        long seen = 0;
        long seenPieces = pieces.get();
        long activeAt = System.nanoTime();
        while (open) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(GUARD_MS));
            long piece = running.get();
            if (piece > 0 && piece == seen && running.compareAndSet(piece, TAKEN)) {
                synchronized (this) {
                    standby = null;
                    leader = me;
                }
                onTakeover.run();
                takeovers.warn("a call has held the link's thread for over " + GUARD_MS
                        + " ms; another thread serves the link meanwhile");
                return true;
            }
            seen = piece;
            long n = pieces.get();
            long now = System.nanoTime();
            if (n != seenPieces) {
                seenPieces = n;
                activeAt = now;
            } else if (now - activeAt > IDLE_NS) {
                synchronized (this) {
                    if (pieces.get() == n) {
                        standby = null;
                        return false;
                    }
                }
            }
        }
        return false;
    }

    /** Stops both threads' loops and waits up to {@code millis} for them (not for work still running). */
    void close(long millis) {
        open = false;
        Thread s = standby;
        if (s != null) {
            LockSupport.unpark(s);
            SocketThread.join(s, millis);
        }
        Thread l = leader;
        if (l != null && l != Thread.currentThread()) {
            SocketThread.join(l, millis);
        }
    }
}
