package sdm.kernel.internal;

import static sdm.kernel.internal.Answers.error;
import static sdm.kernel.internal.Answers.ok;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.ExportException;

/**
 * The functions a program exports to its C code ({@code master.exports}, in its bundle's
 * {@code SDM-Master-Exports} header): {@code sdm.export} registers them, and a call from C runs
 * one as a turn of the program's loop. The prelude's invoker runs the function, waits for it if
 * it is async, checks its value against the declared return type and answers with
 * {@link SystemCalls#exportDone}. A call completes once: with the value, with the function's
 * error, or at its timeout. A failing export logs a line in the program's log, at most
 * {@value #LOGGED} a minute.
 */
final class Exports {

    private static final Pattern DECLARED = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*);returns=([a-z]+);params=\"[^\"]*\"");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int LOGGED = 10;
    /**
     * Export calls of one program waiting for their answer at once, at most: an async export
     * that never answers holds each until its timeout.
     */
    static final int MAX_WAITING = 10_000;

    private final JsProgram program;
    /** Declared name to return type. */
    private final Map<String, String> declared;
    private final Map<String, Boolean> registered = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private Value invoker;
    private long logWindowStart;
    private int loggedInWindow;
    private long heldBack;

    Exports(JsProgram program, String header) {
        this.program = program;
        this.declared = declared(header);
    }

    /** {@code SDM-Master-Exports} as names and return types, in order; empty for none. */
    static Map<String, String> declared(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header != null) {
            Matcher m = DECLARED.matcher(header);
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    /** From the prelude, once: the function that runs an export, {@code (id, name, argsJson, node, returns)}. */
    void invoker(Value f) {
        if (invoker == null && f != null && f.canExecute()) {
            invoker = f;
        }
    }

    /** {@code sdm.export(name, f)}: the prelude keeps {@code f}; here the name is checked and marked. */
    String register(String name) {
        if (!declared.containsKey(name)) {
            return error("TypeError", "'" + name + "' is not one of the program's master.exports ("
                    + (declared.isEmpty() ? "it declares none" : String.join(", ", declared.keySet())) + ")");
        }
        registered.put(name, true);
        return ok(null);
    }

    /** From any thread: runs the export {@code function} with {@code args} on the loop. */
    CompletionStage<Object> call(String function, List<Object> args, String nodeId, Duration timeout) {
        String returns = declared.get(function);
        if (returns == null) {
            return failed(ExportException.Reason.NOT_DECLARED, "program " + program.name + " exports no function '"
                    + function + "'");
        }
        if (!registered.containsKey(function)) {
            return failed(ExportException.Reason.NOT_RUNNING, "program " + program.name + " has not called sdm.export('"
                    + function + "')");
        }
        String argsJson;
        try {
            argsJson = JSON.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            return failed(ExportException.Reason.BAD_ARGUMENTS, "the arguments are not JSON: " + e.getOriginalMessage());
        }
        if (pending.size() >= MAX_WAITING) {
            return failed(ExportException.Reason.NOT_RUNNING, "program " + program.name + " has " + MAX_WAITING
                    + " export calls waiting for their answer already");
        }
        int id = ids.incrementAndGet();
        CompletableFuture<Object> result = new CompletableFuture<>();
        pending.put(id, result);
        ScheduledFuture<?> timer = program.kernel.clock().schedule(() -> {
            if (pending.remove(id) != null) {
                logFailure(function + "() did not answer within " + timeout.toMillis() + " ms");
                result.completeExceptionally(new ExportException(ExportException.Reason.TIMED_OUT,
                        function + "() did not answer within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((v, t) -> timer.cancel(false));
        boolean queued = program.offer("the export " + function, () -> {
            if (pending.containsKey(id) && invoker != null) {
                invoker.executeVoid(id, function, argsJson, nodeId, returns);
            }
        });
        if (!queued && pending.remove(id) != null) {
            result.completeExceptionally(new ExportException(ExportException.Reason.NOT_RUNNING, program.ended()
                    ? "program " + program.name + " stopped" : "program " + program.name + "'s event loop is full"));
        }
        return result;
    }

    /**
     * From the prelude: how call {@code id} ended. {@code kind} is {@code ok} (text: the value as
     * JSON), {@code wrong} (a value not of the declared type) or {@code threw} (the error's line).
     */
    String done(int id, String kind, String text) {
        CompletableFuture<Object> result = pending.remove(id);
        if (result == null) {
            return ok(null); // timed out already
        }
        if ("ok".equals(kind)) {
            try {
                Object value = JSON.readValue(text, Object.class);
                result.complete(value);
            } catch (JsonProcessingException e) {
                result.completeExceptionally(new ExportException(ExportException.Reason.FAILED, "unreadable value"));
            }
        } else {
            logFailure(text);
            result.completeExceptionally(new ExportException(ExportException.Reason.FAILED, text));
        }
        return ok(null);
    }

    /** Into the program's log: at most {@link #LOGGED} lines a minute, then how many were held back. */
    private synchronized void logFailure(String line) {
        long now = System.nanoTime() / 1_000_000;
        if (now - logWindowStart >= 60_000) {
            if (heldBack > 0) {
                program.kernel.host().log(program.name, heldBack + " more export failures were not logged in the last 60 s");
            }
            logWindowStart = now;
            loggedInWindow = 0;
            heldBack = 0;
        }
        if (loggedInWindow++ < LOGGED) {
            program.kernel.host().log(program.name, "export failed: " + line);
        } else {
            heldBack++;
        }
    }

    /** The program ended: its waiting calls complete now. */
    void ended() {
        for (Integer id : List.copyOf(pending.keySet())) {
            CompletableFuture<Object> r = pending.remove(id);
            if (r != null) {
                r.completeExceptionally(new ExportException(ExportException.Reason.NOT_RUNNING,
                        "program " + program.name + " stopped"));
            }
        }
    }

    private static CompletionStage<Object> failed(ExportException.Reason reason, String message) {
        return CompletableFuture.failedStage(new ExportException(reason, message));
    }
}
