package sdm.kernel.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One program's master part: its own context and its own event loop (one thread). Every turn
 * (the main script, a timer, an event, a remote result) runs on that thread, one at a time;
 * the kernel's watchdog cancels a turn that runs past its CPU budget. A failure ends the
 * program: timers cancelled, pending results dropped, context closed.
 */
final class JsProgram {

    private static final Logger LOG = Logger.getLogger("sdm.kernel");
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.ThreadMXBean ALLOCATED = (com.sun.management.ThreadMXBean) CPU;
    /** The interpreter is stack-hungry; deep recursion must end in a RangeError, not a crash. */
    private static final long LOOP_STACK_BYTES = 16L << 20;
    private static final long CPU_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    final String name;
    final String version;
    final Kernel kernel;
    private final Privileges privileges;
    private final ThreadPoolExecutor loop;
    private final Map<Integer, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private final SystemCalls calls;
    private final LineLog engineLines;
    private final Exports exports;
    private volatile boolean ended;
    /** Set with {@link #ended}: ends a heap walk of the program that is under way. */
    private final AtomicBoolean over = new AtomicBoolean();
    /** The heap meter's token for this program's context; null until it exists, or with no meter. */
    private volatile Object heapToken;
    private volatile long allocatedAtLastWalk;
    /** Set by stop(): nothing new is queued, only the stop handlers still run. */
    private volatile boolean stopping;
    /** nanoTime when the running turn began, 0 between turns. */
    private volatile long turnStarted;
    /** The loop thread's CPU time when the running turn began. */
    private volatile long turnCpuStart;
    private volatile long loopThreadId = -1;
    private volatile boolean cancelled;
    private volatile Context context;
    private long windowStart = System.nanoTime();
    private long windowCpuNanos;

    JsProgram(String name, String version, Privileges privileges, String exportsHeader, Kernel kernel) {
        this.name = name;
        this.version = version;
        this.kernel = kernel;
        this.privileges = privileges;
        this.loop = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(kernel.limits().queuedTurns()), r -> {
                    Thread t = new Thread(null, r, "sdm-js-" + name, LOOP_STACK_BYTES);
                    t.setDaemon(true);
                    loopThreadId = t.threadId();
                    return t;
                });
        this.exports = new Exports(this, exportsHeader);
        this.calls = new SystemCalls(this);
        this.engineLines = new LineLog(kernel.limits().logLines() + 1);
    }

    Exports exports() {
        return exports;
    }

    Privileges privileges() {
        return privileges;
    }

    boolean ended() {
        return ended;
    }

    /**
     * Creates the context and the {@code sdm} global (the kernel's own work, not timed against the
     * program), then runs the main script as the first turn.
     */
    void start(String mainPath, String code, ProgramFiles.Entries files) {
        boolean module = files != null;
        try {
            loop.execute(() -> {
                try {
                    long began = System.nanoTime();
                    Context.Builder builder = Context.newBuilder("js").engine(kernel.engine())
                            .sandbox(SandboxPolicy.CONSTRAINED)
                            .out(kernel.discard()).err(engineLines)
                            .option("js.load", "false").option("js.print", "false").option("js.console", "false")
                            .option("js.graal-builtin", "false").option("js.unhandled-rejections", "warn");
                    if (module) {
                        // a module reads its own js/ files, and nothing else
                        builder.allowIO(IOAccess.newBuilder().fileSystem(new ProgramFiles(files, this::fail)).build())
                                .currentWorkingDirectory(Path.of("/" + mainPath).getParent());
                    }
                    Context c = builder.build();
                    c.getBindings("js").putMember("__sdm_host", calls);
                    for (Source part : kernel.prelude()) {
                        c.eval(part);
                    }
                    MemoryBound memory = kernel.memory();
                    if (memory != null) {
                        c.enter();
                        try {
                            heapToken = memory.enteredContext();
                        } finally {
                            c.leave();
                        }
                    }
                    context = c;
                    LOG.fine("program " + name + ": context ready in " + (System.nanoTime() - began) / 1_000_000 + " ms");
                } catch (RuntimeException e) {
                    fail("cannot create its JavaScript context: " + e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            return;
        }
        Source main = module
                ? Source.newBuilder("js", code, Path.of(mainPath).getFileName().toString())
                        .mimeType("application/javascript+module").buildLiteral()
                : Source.newBuilder("js", code, mainPath).buildLiteral();
        post("the main script", () -> context.eval(main));
    }

    /** Runs {@code body} as one turn of the loop, unless the program has ended or is stopping. */
    void post(String what, Runnable body) {
        if (ended || stopping) {
            return;
        }
        try {
            loop.execute(() -> turn(what, body, false));
        } catch (RejectedExecutionException e) {
            if (!loop.isShutdown()) {
                fail("its event loop fell more than " + kernel.limits().queuedTurns() + " turns behind");
            }
        }
    }

    /**
     * As {@link #post}, for work that may be refused: false, rather than the program failed, when
     * the loop is more than nine tenths full (calls of exports from C, which a flood must not
     * turn into the program's failure).
     */
    boolean offer(String what, Runnable body) {
        if (ended || stopping || loop.getQueue().remainingCapacity() < kernel.limits().queuedTurns() / 10) {
            return false;
        }
        try {
            loop.execute(() -> turn(what, body, false));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void turn(String what, Runnable body, boolean evenIfStopping) {
        if (ended || (stopping && !evenIfStopping) || context == null) {
            return;
        }
        long cpuBefore = CPU.getCurrentThreadCpuTime();
        MemoryBound memory = kernel.memory();
        long allocatedBefore = memory == null ? 0 : ALLOCATED.getCurrentThreadAllocatedBytes();
        turnCpuStart = cpuBefore;
        turnStarted = System.nanoTime();
        try {
            body.run();
        } catch (PolyglotException e) {
            if (!ended) {
                fail(describe(e, what));
            }
        } catch (RuntimeException e) {
            if (!ended) {
                fail("failed in " + what + ": " + e);
            }
        } finally {
            turnStarted = 0;
            engineLines.take().forEach(calls::log);
            if (memory != null) {
                memory.turnEnded(this, allocatedBefore);
            }
            long now = System.nanoTime();
            if (now - windowStart > CPU_WINDOW_NANOS) {
                windowStart = now;
                windowCpuNanos = 0;
            }
            windowCpuNanos += CPU.getCurrentThreadCpuTime() - cpuBefore;
            if (!ended && windowCpuNanos > TimeUnit.MILLISECONDS.toNanos(kernel.limits().cpuPerMinuteMillis())) {
                fail("used more than " + kernel.limits().cpuPerMinuteMillis() + " ms of CPU in a minute");
            }
        }
    }

    private String describe(PolyglotException e, String what) {
        if (e.isCancelled() || cancelled) {
            return "stopped: " + what + " ran past its CPU budget of " + kernel.limits().turnMillis() + " ms";
        }
        if (e.isHostException()) {
            return "failed in " + what + ": " + e.asHostException();
        }
        SourceSection at = e.getSourceLocation();
        if (at == null) {
            // a thrown value has no location of its own: the innermost guest frame has it
            for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
                if (frame.isGuestFrame() && frame.getSourceLocation() != null) {
                    at = frame.getSourceLocation();
                    break;
                }
            }
        }
        String where = at == null || at.getSource() == null ? ""
                : " (" + at.getSource().getName() + ":" + at.getStartLine() + ")";
        return "uncaught in " + what + ": " + e.getMessage() + where;
    }

    /**
     * From the kernel's watchdog: cancels a turn that has used its CPU budget, or (a backstop for
     * a turn that waits rather than computes) ten times that in wall time.
     */
    void checkBudget(long now) {
        long started = turnStarted;
        if (started == 0 || cancelled) {
            return;
        }
        long budget = TimeUnit.MILLISECONDS.toNanos(kernel.limits().turnMillis());
        long thread = loopThreadId;
        long cpu = thread < 0 ? 0 : CPU.getThreadCpuTime(thread) - turnCpuStart;
        if (cpu > budget || now - started > 10 * budget) {
            cancelled = true;
            cancel("stopped: a turn ran past its CPU budget of " + kernel.limits().turnMillis() + " ms");
        }
    }

    /** Fails the program and cancels what it runs now; from any thread. */
    void cancel(String reason) {
        Context c = context;
        fail(reason);
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException e) {
                LOG.fine("cancelling " + name + ": " + e);
            }
        }
    }

    long loopThreadId() {
        return loopThreadId;
    }

    Object heapToken() {
        return heapToken;
    }

    long allocatedAtLastWalk() {
        return allocatedAtLastWalk;
    }

    void allocatedAtLastWalk(long bytes) {
        allocatedAtLastWalk = bytes;
    }

    AtomicBoolean endedFlag() {
        return over;
    }

    /** Ends the program with a reason the master shows; from any thread. */
    void fail(String reason) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            over.set(true);
        }
        try {
            LOG.warning("program " + name + " failed on the master: " + reason);
            kernel.host().failed(name, reason);
        } catch (RuntimeException e) {
            LOG.warning("reporting the failure of " + name + ": " + e);
        } finally {
            end();
        }
    }

    /**
     * Stops taking new work, drops what waits, cancels the timers, runs the {@code stop} handlers
     * (one turn, watched like any other), then ends the program and waits for its loop.
     */
    void stop() {
        stopping = true;
        cancelTimers();
        boolean queued = false;
        if (!ended) {
            try {
                loop.getQueue().clear();
                loop.execute(() -> {
                    turn("the stop event", () -> calls.emit("stop", "{}"), true);
                    synchronized (this) {
                        ended = true;
                        over.set(true);
                    }
                    end();
                });
                queued = true;
            } catch (RejectedExecutionException e) {
                // the loop is already over
            }
        }
        if (!queued) {
            end();
        }
        try {
            if (!loop.awaitTermination(11L * kernel.limits().turnMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                Context c = context;
                if (c != null) {
                    c.close(true);
                }
                loop.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.fine("stopping " + name + ": " + e);
        }
    }

    private void cancelTimers() {
        timers.values().forEach(t -> t.cancel(false));
        timers.clear();
    }

    /** Cancels timers, closes the context on the loop after the running turn, and lets the loop end. */
    private void end() {
        cancelTimers();
        exports.ended();
        if (ended) {
            loop.getQueue().clear(); // turns of an ended program would not run anyway
        }
        try {
            loop.execute(() -> {
                cancelTimers(); // a turn that caught its failure may have set more
                Context c = context;
                context = null;
                if (c != null) {
                    try {
                        c.close(true);
                    } catch (RuntimeException e) {
                        LOG.fine("closing " + name + ": " + e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // already ending, or the queue is full: the context goes with the loop
        }
        loop.shutdown();
    }

    Map<Integer, ScheduledFuture<?>> timers() {
        return timers;
    }

    VariableStore openStore() throws IOException {
        return new VariableStore(kernel.host().privateFolder(name),
                content -> kernel.host().writePrivateFile(name, VariableStore.FILE, content));
    }

    /** Delivers a machine event to the program's handlers. */
    void emit(String event, String json) {
        post("the " + event + " event", () -> calls.emit(event, json));
    }
}
