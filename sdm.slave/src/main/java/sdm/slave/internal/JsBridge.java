package sdm.slave.internal;

import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.node.MonotonicClock;
import sdm.archive.JamManifest;
import sdm.transport.zmq.Message;

/**
 * The slave's side of C calling JavaScript (include/sdm.h): checks each call and post a
 * program's C code makes through its {@link JsTable}, as the header says, sends calls through
 * {@link ExportCalls} and posts through the {@link PostQueue}, and counts both per program.
 * Every method is thread-safe; {@link #call} blocks only its caller.
 */
final class JsBridge implements AutoCloseable {

    /** Made on first use: a slave whose C code never calls JavaScript never loads the JSON library. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        static byte[] bytes(Object value) {
            try {
                return MAPPER.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e.getOriginalMessage());
            }
        }
    }

    static final int MAX_TIMEOUT_MS = 86_400_000;
    /** The time to live of a post made with {@code ttl_ms} 0. */
    static final int CONNECTED_ONLY_TTL_MS = 10_000;

    private final JsCounters counters = new JsCounters();
    private final ExportCalls calls;
    private final PostQueue posts;
    private volatile boolean connected;

    /**
     * @param epoch    this run of the slave, as its events have
     * @param toMaster where calls and posts go; it must not block
     */
    JsBridge(long epoch, Consumer<Message> toMaster) {
        this(epoch, toMaster, PostQueue.LINGER_MS);
    }

    JsBridge(long epoch, Consumer<Message> toMaster, long postLingerMs) {
        this.calls = new ExportCalls(epoch, toMaster, () -> connected);
        this.posts = new PostQueue(epoch, toMaster, counters, MonotonicClock::nowMs, postLingerMs);
    }

    /** Gives the library its table if it defines {@code sdm_set_js}; see {@link JsTable#install}. */
    JsTable attach(String program, JamManifest manifest, SymbolLookup lookup) throws IOException {
        return JsTable.install(program, manifest, lookup, this);
    }

    /**
     * A call from C. {@code cap} is 0 when the caller gave no buffer. Refusals come first, in
     * this order: NULL or out of range, stopped, wrong thread, not exported, bad arguments, not
     * connected.
     */
    CallOutcome call(JsTable from, String function, byte[] args, long cap, int timeoutMs) {
        if (function == null || args == null || cap == 0) {
            return refused(from, SdmCodes.EINVAL, "call() needs a function, args_json and an out buffer of a cap over 0");
        }
        if (timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
            return refused(from, SdmCodes.EINVAL, "timeout_ms " + timeoutMs + " is not within 1 to " + MAX_TIMEOUT_MS);
        }
        if (from.stopped()) {
            return refused(from, SdmCodes.ESTOPPED, "program " + from.program + " is stopping on this node");
        }
        if (CallThreads.insideSdmCall()) {
            return refused(from, SdmCodes.ETHREAD, "call() from inside a function SDM called would block it:"
                    + " use post(), or a thread of your own");
        }
        JamManifest.Function export = from.export(function);
        if (export == null) {
            return refused(from, SdmCodes.ENOEXPORT, notExported(from, function));
        }
        List<Object> values;
        try {
            values = ExportArgs.parse(args, export);
        } catch (IllegalArgumentException e) {
            return refused(from, SdmCodes.EARGS, e.getMessage());
        }
        if (!connected) {
            return refused(from, SdmCodes.ENOTCONN, "the master is not connected");
        }
        counters.add(from.program, JsCounters.Kind.CALLS_MADE, 1);
        return outcome(calls.call(from, function, values, timeoutMs), cap);
    }

    private static CallOutcome outcome(Message.ExportResult r, long cap) {
        if (r.code() != SdmCodes.OK) {
            return CallOutcome.of(r.code(), r.error().isEmpty() ? SdmCodes.name(r.code()) : r.error().lines().findFirst()
                    .orElse(""));
        }
        byte[] json;
        try {
            json = Json.bytes(r.value());
        } catch (IllegalArgumentException e) {
            return CallOutcome.of(SdmCodes.EFAILED, "the result cannot be written as JSON: " + e.getMessage());
        }
        if (cap > 0 && json.length >= cap) {
            return CallOutcome.of(SdmCodes.ETOOBIG, "the result is " + json.length + " bytes of JSON, "
                    + (json.length + 1) + " with its NUL: over cap " + cap);
        }
        return new CallOutcome(SdmCodes.OK, json);
    }

    /** A post from C: checked as a call is (but for the thread), then queued. */
    int post(JsTable from, String function, byte[] args, int ttlMs) {
        if (function == null || args == null || ttlMs < 0 || ttlMs > MAX_TIMEOUT_MS) {
            return refused(from, SdmCodes.EINVAL);
        }
        if (from.stopped()) {
            return refused(from, SdmCodes.ESTOPPED);
        }
        JamManifest.Function export = from.export(function);
        if (export == null) {
            return refused(from, SdmCodes.ENOEXPORT);
        }
        List<Object> values;
        try {
            values = ExportArgs.parse(args, export);
        } catch (IllegalArgumentException e) {
            return refused(from, SdmCodes.EARGS);
        }
        if (ttlMs == 0 && !connected) {
            return refused(from, SdmCodes.ENOTCONN);
        }
        if (!posts.offer(from.program, function, values, args.length, ttlMs == 0 ? CONNECTED_ONLY_TTL_MS : ttlMs)) {
            return refused(from, SdmCodes.ESTOPPED);
        }
        return SdmCodes.OK;
    }

    private CallOutcome refused(JsTable from, int code, String reason) {
        refused(from, code);
        return CallOutcome.of(code, reason);
    }

    private int refused(JsTable from, int code) {
        counters.add(from.program, JsCounters.Kind.CALLS_REFUSED, 1);
        return code;
    }

    private static String notExported(JsTable from, String function) {
        String shown = function.length() > 128 ? function.substring(0, 128) + "..." : function;
        return "program " + from.program + " exports no function '" + shown + "' (master.exports)";
    }

    /** The library of {@code table} is being unloaded: its callers return with {@link SdmCodes#ESTOPPED}. */
    void stopped(JsTable table) {
        calls.stop(table);
    }

    void onResult(Message.ExportResult r) {
        calls.onResult(r);
    }

    void onPostAck(Message.PostAck a) {
        posts.acknowledge(a.epoch(), a.upTo());
    }

    /** A new session with the master: posts not acknowledged go again, first. */
    void onConnected() {
        connected = true;
        posts.onConnected();
    }

    /** The master is lost: waiting callers return with {@link SdmCodes#ENOTCONN}, posts wait. */
    void onDisconnected() {
        connected = false;
        posts.onDisconnected();
        calls.disconnected();
    }

    /** The counters as {@code js.PROGRAM.NAME}, at most {@code max} of them. */
    Map<String, Long> counters(int max) {
        return counters.snapshot(max);
    }

    JsCounters counters() {
        return counters;
    }

    /** For tests: how many calls wait for a result, and the post queue. */
    int waitingCalls() {
        return calls.waiting();
    }

    PostQueue posts() {
        return posts;
    }

    @Override
    public void close() {
        posts.close();
    }
}
