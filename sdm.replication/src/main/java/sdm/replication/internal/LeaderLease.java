package sdm.replication.internal;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import sdm.api.replication.LeadershipListener;

/**
 * Whether this master may act as the leader now. Raft lets a leader cut off from the others go
 * on believing it leads until it misses their answers for a whole election timeout, and by then
 * another master may have been elected. So a leader here holds a lease instead: once a majority
 * (itself included) answered its appends by time t, it may act until t + {@code lease}. A
 * follower restarts its election timeout when an append arrives, before it answers; the lease
 * is shorter than the shortest election timeout by more than an answer takes to come back, so
 * the old leader has stopped before anyone else can win.
 *
 * <p>Ratis's read-index rounds cannot confirm a leader for this: a round for a commit index that
 * an earlier round confirmed succeeds at once, without asking anyone, so an idle leader cut off
 * from the others would be confirmed for ever.
 */
final class LeaderLease implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.replication");

    /**
     * What the Raft server says now: its term, whether it leads and is ready, the leader's
     * address, and how long ago a majority of the masters (this one included) last answered it,
     * -1 if no majority ever did in this term.
     */
    record View(long term, boolean leaderReady, String leaderAddress, long majorityAnsweredAgoMs) {
    }

    private final Supplier<View> view;
    private final long leaseNanos;
    private final long graceNanos;
    private long lastHeldAt;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sdm-lease").daemon().factory());
    private final ExecutorService calls = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sdm-leadership").daemon().factory());
    private volatile LeadershipListener listener;
    private volatile long leaseTerm = -1;
    private volatile long leaseUntil;
    /** What the listener was last told; on the tick thread only. */
    private Boolean told;
    /** What the last tick found, for {@link #held} on any thread. */
    private volatile boolean leadingNow;
    private volatile long leadingTerm = -1;
    private long toldTerm = -1;
    private String toldLeader;
    /** The term whose lapsed lease was logged, -1 while the lease holds; on the tick thread only. */
    private long lapsedTerm = -1;

    /**
     * @param graceMs how long the lease may lapse, in the same term, before the listener is told
     *                this master follows (it acts on nothing meanwhile)
     */
    LeaderLease(Supplier<View> view, long leaseMs, long graceMs, long tickMs) {
        this.view = view;
        this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(leaseMs);
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMs);
        ticks.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    void listener(LeadershipListener l) {
        ticks.execute(() -> {
            listener = l;
            told = null;
            tick();
        });
    }

    /** Whether this master leads and holds the lease now: as of the last tick, and the lease not run out since. */
    boolean held() {
        return leadingNow && holds(leadingTerm);
    }

    private boolean holds(long term) {
        return leaseTerm == term && System.nanoTime() - leaseUntil < 0;
    }

    private void tick() {
        try {
            View v = view.get();
            if (v.leaderReady() && v.majorityAnsweredAgoMs() >= 0) {
                long until = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(v.majorityAnsweredAgoMs()) + leaseNanos;
                if (leaseTerm != v.term() || until - leaseUntil > 0) {
                    leaseUntil = until;
                    leaseTerm = v.term();
                }
            }
            // to start leading, half a lease at least: a first confirmation that took long would lapse at once
            boolean leading = v.leaderReady() && holds(v.term())
                    && (Boolean.TRUE.equals(told) || leaseUntil - System.nanoTime() > leaseNanos / 2);
            leadingTerm = v.term();
            leadingNow = leading;
            long now = System.nanoTime();
            if (leading) {
                lastHeldAt = now;
                if (lapsedTerm == v.term()) {
                    LOG.info("a majority confirms this master again in term " + v.term() + ": it acts again");
                }
                lapsedTerm = -1;
            } else if (Boolean.TRUE.equals(told) && lapsedTerm != toldTerm) {
                lapsedTerm = toldTerm;
                LOG.info("the lease of term " + toldTerm + " lapsed: this master acts on nothing until a majority"
                        + " confirms it");
            }
            // a lease that lapses for a moment (a starved machine) pauses the leader, which acts on
            // nothing meanwhile (held() is false); only a lapse past the grace, or another term, ends it
            boolean paused = !leading && Boolean.TRUE.equals(told) && toldTerm == v.term() && v.leaderReady()
                    && now - lastHeldAt < graceNanos;
            if (paused) {
                return;
            }
            String leader = leading ? null : v.leaderAddress();
            LeadershipListener l = listener;
            if (l != null && (told == null || told != leading || toldTerm != v.term()
                    || !leading && !Objects.equals(toldLeader, leader))) {
                told = leading;
                toldTerm = v.term();
                toldLeader = leader;
                calls.execute(() -> {
                    if (leading) {
                        l.leading(v.term());
                    } else {
                        l.following(v.term(), leader);
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the leadership check failed", e);
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        calls.shutdown();
    }
}
