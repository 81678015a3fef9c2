package sdm.slave.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import sdm.transport.zmq.Message;

/**
 * Calls from C to exports on the master, each waiting for its {@link Message.ExportResult}: only
 * the calling thread waits, until the result comes, the call's timeout passes, the library that
 * made it is stopped or the master is lost, whichever is first. Thread-safe.
 */
final class ExportCalls {

    private record Waiting(JsTable from, CompletableFuture<Message.ExportResult> result) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final String idPrefix;
    private final AtomicLong lastId = new AtomicLong();
    private final Consumer<Message> toMaster;
    private final BooleanSupplier connected;

    /**
     * @param epoch     this run of the slave: call ids are never used again by a later run
     * @param connected whether the master is connected; false from before {@link #disconnected()} is called
     */
    ExportCalls(long epoch, Consumer<Message> toMaster, BooleanSupplier connected) {
        this.idPrefix = "x" + Long.toString(epoch, 36) + "-";
        this.toMaster = toMaster;
        this.connected = connected;
    }

    /** Sends the call and waits for its result; an outcome of the wait is given as a result of its own. */
    Message.ExportResult call(JsTable from, String function, List<Object> args, int timeoutMs) {
        String id = idPrefix + lastId.incrementAndGet();
        CompletableFuture<Message.ExportResult> result = new CompletableFuture<>();
        waiting.put(id, new Waiting(from, result));
        try {
            // a stop or a disconnection that came before the call was in the map did not see it
            if (from.stopped()) {
                return stopped(id, from);
            }
            if (!connected.getAsBoolean()) {
                return lost(id);
            }
            toMaster.accept(new Message.ExportCall(id, from.program, function, args, timeoutMs));
            return result.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Message.ExportResult(id, SdmCodes.ETIMEDOUT, null,
                    "no answer from " + function + "() within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Message.ExportResult(id, SdmCodes.ESTOPPED, null, "the calling thread was interrupted");
        } catch (ExecutionException e) {
            return new Message.ExportResult(id, SdmCodes.EFAILED, null, String.valueOf(e.getCause()));
        } finally {
            waiting.remove(id);
        }
    }

    /** A result from the master; one of a call that is no longer waiting is ignored. */
    void onResult(Message.ExportResult r) {
        Waiting w = waiting.remove(r.callId());
        if (w != null) {
            w.result.complete(r);
        }
    }

    /** The library {@code from} is being unloaded: its callers return at once. */
    void stop(JsTable from) {
        waiting.forEach((id, w) -> {
            if (w.from == from) {
                w.result.complete(stopped(id, from));
            }
        });
    }

    /** The master is lost: its results will not come. */
    void disconnected() {
        waiting.forEach((id, w) -> w.result.complete(lost(id)));
    }

    /** How many calls are waiting. */
    int waiting() {
        return waiting.size();
    }

    private static Message.ExportResult stopped(String id, JsTable from) {
        return new Message.ExportResult(id, SdmCodes.ESTOPPED, null, "program " + from.program + " is stopping on this node");
    }

    private static Message.ExportResult lost(String id) {
        return new Message.ExportResult(id, SdmCodes.ENOTCONN, null, "the master is not connected");
    }
}
