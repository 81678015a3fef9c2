package sdm.kernel.internal;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.graalvm.polyglot.Context;

import sdm.kernel.meter.HeapMeter;

/**
 * Holds every program to its memory limit ({@code sdm.js.memory.mb}): what its context retains,
 * measured by walking the context's object graph ({@link HeapMeter}, Truffle's own heap walk).
 * <p>
 * A walk costs time in proportion to what it finds, so it is not run on a clock but when the
 * program has allocated enough to matter: every {@link #triggerBytes} that its loop thread
 * allocates (the JVM counts each thread's allocations) since the last walk. A program that only
 * makes garbage is walked often but finds little; one that keeps what it makes is found over its
 * limit at the first walk after it crosses it. A walk stops once it has counted past the limit,
 * so no walk costs more than the limit's worth of objects, and walks take turns on one thread
 * that rests as long as it walked: the meter takes at most half of one core, and that only while
 * some program holds near its limit and keeps allocating.
 */
final class MemoryBound {

    private static final Logger LOG = Logger.getLogger("sdm.kernel");
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long MIN_TRIGGER_BYTES = 1L << 20;
    private static final long MAX_REST_NANOS = 1_000_000_000L;

    private final HeapMeter meter;
    /**
     * Entered by the walker around each walk: Truffle walks a context's heap only from a thread it
     * knows, and the walker cannot enter the program's own context (JavaScript allows one thread).
     */
    private final Context own;
    private final long limitBytes;
    private final long triggerBytes;
    private final ExecutorService walker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sdm-js-meter").daemon().factory());
    private final AtomicBoolean walking = new AtomicBoolean();
    private volatile long restUntilNanos = System.nanoTime();

    MemoryBound(HeapMeter meter, Context own, long limitBytes) {
        this.meter = meter;
        this.own = own;
        this.limitBytes = limitBytes;
        this.triggerBytes = Math.max(MIN_TRIGGER_BYTES, limitBytes / 4);
    }

    /** The token the meter measures the program by; on the program's loop, inside its context. */
    Object enteredContext() {
        return meter.enteredContext();
    }

    /** From the kernel's watchdog: walks the program if it has allocated enough since its last walk. */
    void check(JsProgram program, long now) {
        long thread = program.loopThreadId();
        Object context = program.heapToken();
        if (thread < 0 || context == null || program.ended() || now - restUntilNanos < 0) {
            return;
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread);
        if (allocated < 0 || allocated - program.allocatedAtLastWalk() < triggerBytes) {
            return;
        }
        if (!walking.compareAndSet(false, true)) {
            return;
        }
        program.allocatedAtLastWalk(allocated);
        try {
            walker.execute(() -> walk(program, context));
        } catch (RejectedExecutionException e) {
            walking.set(false);
        }
    }

    /**
     * On the program's loop, at the end of a turn that began with {@code before} bytes allocated: a
     * turn that allocated a trigger's worth is walked again after it, since a walk during the turn
     * may have counted its allocations before they were reachable.
     */
    void turnEnded(JsProgram program, long before) {
        long now = THREADS.getCurrentThreadAllocatedBytes();
        if (now - before >= triggerBytes && program.allocatedAtLastWalk() > before) {
            program.allocatedAtLastWalk(before);
        }
    }

    private void walk(JsProgram program, Object context) {
        long began = System.nanoTime();
        try {
            own.enter();
        } catch (RuntimeException e) {
            walking.set(false);
            return;
        }
        try {
            long retained = meter.retainedBytes(context, limitBytes + 1, program.endedFlag());
            LOG.fine(() -> "program " + program.name + " retains " + retained + " bytes (walked in "
                    + (System.nanoTime() - began) / 1_000_000 + " ms)");
            if (retained > limitBytes) {
                program.cancel("used more than " + (limitBytes >> 20) + " MiB");
            }
        } catch (RuntimeException | StackOverflowError e) {
            // a context closed during the walk: the program has ended anyway
            if (!program.ended()) {
                LOG.warning("measuring the memory of " + program.name + ": " + e);
            }
        } finally {
            own.leave();
            long took = System.nanoTime() - began;
            restUntilNanos = System.nanoTime() + Math.min(took, MAX_REST_NANOS);
            walking.set(false);
        }
    }

    void close() {
        walker.shutdownNow();
        try {
            own.close(true);
        } catch (RuntimeException e) {
            LOG.fine("closing the meter's context: " + e);
        }
    }
}
