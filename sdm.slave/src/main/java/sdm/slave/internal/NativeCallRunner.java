package sdm.slave.internal;

import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import sdm.api.node.ErrorLine;
import sdm.archive.NativeType;
import sdm.transport.zmq.Message;

/**
 * Runs calls of the loaded programs' functions. A call of a function that has shown itself
 * short ({@link CallSpeed}) runs on the link's own thread, which sends its result at once;
 * every other call runs on a pool of call threads, and calls may overlap. Each call is marked in
 * {@link CrashMarks} while it runs, in the slot of the thread that runs it.
 */
final class NativeCallRunner implements AutoCloseable {

    private static final int THREADS = 8;
    private static final int MAX_WAITING = 10_000;

    private final Map<String, LoadedLibrary> loaded;
    private final CrashMarks marks;
    private final CallThreads threads;
    private final Consumer<Message> toMaster;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ThreadPoolExecutor pool;

    NativeCallRunner(Map<String, LoadedLibrary> loaded, CrashMarks marks, CallThreads threads,
            Consumer<Message> toMaster) {
        this.loaded = loaded;
        this.marks = marks;
        this.threads = threads;
        this.toMaster = toMaster;
        // a LinkedTransferQueue hands a call to a waiting worker faster than an ArrayBlockingQueue
        // (its workers spin briefly before parking): 14,000 -> 21,000 calls/s here
        // threads come with the first calls and go after 30 s without one: an idle slave holds none
        pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedTransferQueue<>(), threads);
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * From the link's thread: runs the call there and returns its result if its function is
     * short and this thread is a call thread (it has a crash-mark slot); null otherwise.
     */
    Message.CallResult callInline(Message.Call call) {
        LoadedLibrary l = loaded.get(call.program());
        LoadedLibrary.Function f = l == null ? null : l.functions.get(call.function());
        if (f == null || !f.speed().isShort() || !CallThreads.isCallThread()) {
            return null;
        }
        return run(call);
    }

    /** From the link's thread: runs the call on the pool and sends its result. */
    void onCall(Message.Call call) {
        if (waiting.get() >= MAX_WAITING) {
            toMaster.accept(new Message.CallResult(call.callId(), false, null, "the node is busy: " + waiting.get()
                    + " calls waiting"));
            return;
        }
        // the call is worth running only within its timeoutMs (the caller's time to live):
        // one still waiting here by then is not run at all
        long expires = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(call.timeoutMs());
        waiting.incrementAndGet();
        try {
            pool.execute(() -> {
                waiting.decrementAndGet();
                toMaster.accept(System.nanoTime() - expires > 0
                        ? failure(call, "expired after waiting " + call.timeoutMs() + " ms on the node; not run")
                        : run(call));
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            toMaster.accept(new Message.CallResult(call.callId(), false, null, "the node is stopping"));
        }
    }

    private Message.CallResult run(Message.Call call) {
        LoadedLibrary l = loaded.get(call.program());
        if (l == null) {
            return failure(call, "program " + call.program() + " is not active on this node");
        }
        LoadedLibrary.Function f = l.functions.get(call.function());
        if (f == null) {
            return failure(call, "program " + call.program() + " has no function '" + call.function() + "'");
        }
        if (call.args().size() != f.params().size()) {
            return failure(call, f.signature() + " takes " + f.params().size() + " arguments, got " + call.args().size());
        }
        l.inFlight.incrementAndGet();
        try {
            if (l.closing) {
                return failure(call, "program " + call.program() + " is stopping");
            }
            try (Arena strings = f.params().contains(NativeType.STRING) ? Arena.ofConfined() : null) {
                Object[] args = new Object[f.params().size()];
                for (int i = 0; i < args.length; i++) {
                    Object v;
                    try {
                        v = f.params().get(i).argument(call.args().get(i));
                    } catch (IllegalArgumentException e) {
                        return failure(call, "argument " + (i + 1) + " of " + f.signature() + ": " + e.getMessage());
                    }
                    args[i] = v instanceof String s ? strings.allocateFrom(s) : v;
                }
                int mySlot = threads.slot();
                // the returned string is read inside the mark too: a bad pointer crashes there
                marks.enter(mySlot, call.program(), call.function());
                long start = System.nanoTime();
                try {
                    Object out = (Object) f.handle().invokeExact(args);
                    return new Message.CallResult(call.callId(), true, NativeValues.result(f.returns(), out), "");
                } finally {
                    f.speed().took(System.nanoTime() - start);
                    marks.leave(mySlot);
                }
            }
        } catch (Throwable e) {
            return failure(call, f.signature() + " failed: " + ErrorLine.of(e));
        } finally {
            l.inFlight.decrementAndGet();
        }
    }

    private static Message.CallResult failure(Message.Call call, String error) {
        return new Message.CallResult(call.callId(), false, null,
                error.length() > 500 ? error.substring(0, 500) + "..." : error);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
