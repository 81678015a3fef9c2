package sdm.kernel.internal;

import static sdm.kernel.internal.Answers.error;
import static sdm.kernel.internal.Answers.ok;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.MasterInfo;
import sdm.api.NodeInfo;

/**
 * The system calls of one program: the only host object its context sees, and only through the
 * prelude's closure. Every method runs on the program's loop, takes strings, numbers and JS
 * functions, and answers {@code "ok:JSON"} or {@code "error:KIND:MESSAGE"} (the prelude turns
 * errors into JS exceptions): nothing of the host reaches the program, not even an exception.
 */
public final class SystemCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_CALL_TIMEOUT_MS = TimeUnit.HOURS.toMillis(24);

    private final JsProgram program;
    private final AtomicInteger pending = new AtomicInteger();
    private Value dispatcher;
    private final StoreCalls stores;
    private int nextTimer;
    private long logWindowStart;
    private int logLinesInWindow;

    SystemCalls(JsProgram program) {
        this.program = program;
        this.stores = new StoreCalls(program);
    }

    /** On the loop: hands an event to the prelude's dispatcher. */
    void emit(String event, String json) {
        if (dispatcher != null) {
            dispatcher.executeVoid(event, json);
        }
    }

    @HostAccess.Export
    public void dispatcher(Value f) {
        if (dispatcher == null && f != null && f.canExecute()) {
            dispatcher = f;
        }
    }

    @HostAccess.Export
    public String self() {
        return guarded(() -> selfCall());
    }

    private String selfCall() {
        return ok(Map.of("name", program.name, "version", program.version,
                "node", program.kernel.machine().self().id()));
    }

    @HostAccess.Export
    public String master() {
        return guarded(() -> masterCall());
    }

    private String masterCall() {
        MasterInfo m = program.kernel.machine().master();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("address", m.address());
        out.put("replicas", m.replicas());
        out.put("uptimeMs", m.uptimeMs());
        return ok(out);
    }

    @HostAccess.Export
    public String nodes() {
        return guarded(() -> nodesCall());
    }

    private String nodesCall() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeInfo n : program.kernel.machine().nodes()) {
            out.add(node(n));
        }
        return ok(out);
    }

    static Map<String, Object> node(NodeInfo n) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", n.id());
        out.put("name", n.name());
        out.put("address", n.address());
        out.put("os", n.os());
        out.put("arch", n.arch());
        out.put("labels", n.labels());
        out.put("online", n.online());
        out.put("lastSeenMs", n.lastSeenMs());
        return out;
    }

    @HostAccess.Export
    public String offline() {
        return guarded(() -> offlineCall());
    }

    private String offlineCall() {
        return ok(program.kernel.machine().offline());
    }

    @HostAccess.Export
    public String call(String function, String argsJson, String optionsJson, Value done) {
        return guarded(() -> callCall(function, argsJson, optionsJson, done));
    }

    private String callCall(String function, String argsJson, String optionsJson, Value done) {
        List<Object> args;
        JsonNode options;
        try {
            args = JSON.readValue(argsJson, new TypeReference<List<Object>>() { });
            options = JSON.readTree(optionsJson);
        } catch (JsonProcessingException e) {
            return error("TypeError", "sdm.call wants an array of arguments and an options object");
        }
        Set<String> nodes = new java.util.LinkedHashSet<>();
        if (options.has("nodes")) {
            if (!options.get("nodes").isArray()) {
                return error("TypeError", "options.nodes must be an array of node ids");
            }
            options.get("nodes").forEach(n -> nodes.add(n.asText()));
        }
        long timeoutMs = options.has("timeoutMs") ? options.get("timeoutMs").asLong(-1) : 10_000;
        if (timeoutMs < 1 || timeoutMs > MAX_CALL_TIMEOUT_MS) {
            return error("RangeError", "options.timeoutMs must be between 1 and " + MAX_CALL_TIMEOUT_MS);
        }
        long ttlMs = options.has("ttlMs") ? options.get("ttlMs").asLong(-1) : timeoutMs;
        if (ttlMs < 1 || ttlMs > timeoutMs) {
            return error("RangeError", "options.ttlMs must be between 1 and options.timeoutMs (" + timeoutMs + ")");
        }
        if (!reservePending()) {
            return error("Error", "too many remote operations pending");
        }
        CompletableFuture<Map<String, CallResult>> result;
        try {
            result = program.kernel.calls().call(program.name, function, args, nodes, Duration.ofMillis(timeoutMs),
                    Duration.ofMillis(ttlMs));
        } catch (CallException e) {
            pending.decrementAndGet();
            return error("Error", e.getMessage());
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
        // the thread that settles the call hands the result straight to the program's loop, where it
        // is encoded and delivered as one turn; still pending until then, so that a flood of instant
        // results cannot grow the loop's queue
        String what = "the result of " + function + "()";
        result.whenCompleteAsync((byNode, failure) -> {
            pending.decrementAndGet();
            String text;
            if (failure != null) {
                text = error("Error", String.valueOf(failure.getMessage()));
            } else {
                Map<String, Object> out = new LinkedHashMap<>();
                byNode.forEach((node, r) -> out.put(node, r.ok() ? r.value() : Map.of("error", r.error())));
                text = ok(out);
            }
            done.executeVoid(text);
        }, turn -> program.post(what, turn));
        return ok(null);
    }

    @HostAccess.Export
    public String control(String action, String target, String optionsJson, Value done) {
        return guarded(() -> controlCall(action, target, optionsJson, done));
    }

    private String controlCall(String action, String target, String optionsJson, Value done) {
        if (!List.of("install", "start", "stop", "uninstall").contains(action)) {
            return error("TypeError", "no such action: programs." + action);
        }
        String denied = deny("programs." + action, "programs." + action + "('" + target + "')");
        if (denied != null) {
            return denied;
        }
        List<String> options = new ArrayList<>();
        try {
            JsonNode o = JSON.readTree(optionsJson);
            if (o.path("start").asBoolean(false)) {
                options.add("start");
            }
            for (JsonNode g : o.path("grant")) {
                // a program hands on only privileges it holds itself
                String missing = program.privileges().holds(g.asText()) ? null : g.asText();
                if (missing != null) {
                    return deniedLine("programs.install('" + target + "') with grant " + missing, missing);
                }
                options.add("grant=" + g.asText());
            }
        } catch (JsonProcessingException e) {
            return error("TypeError", "options must be an object");
        }
        if (!reservePending()) {
            return error("Error", "too many remote operations pending");
        }
        CompletableFuture<String> answer;
        try {
            answer = program.kernel.host().control(action, target, options);
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
        answer.whenComplete((summary, failure) -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : failure;
            String text = failure == null ? ok(summary) : error("Error", String.valueOf(cause.getMessage()));
            program.post("the result of programs." + action + "()", () -> {
                pending.decrementAndGet();
                done.executeVoid(text);
            });
        });
        return ok(null);
    }

    @HostAccess.Export
    public String every(double ms, Value f) {
        return guarded(() -> everyCall(ms, f));
    }

    private String everyCall(double ms, Value f) {
        return timer(ms, f, true);
    }

    @HostAccess.Export
    public String after(double ms, Value f) {
        return guarded(() -> afterCall(ms, f));
    }

    private String afterCall(double ms, Value f) {
        return timer(ms, f, false);
    }

    private String timer(double ms, Value f, boolean repeat) {
        if (!(ms >= 0) || ms > MAX_CALL_TIMEOUT_MS) {
            return error("RangeError", "a timer's delay must be between 0 and " + MAX_CALL_TIMEOUT_MS + " ms");
        }
        Map<Integer, ScheduledFuture<?>> timers = program.timers();
        if (timers.size() >= program.kernel.limits().timers()) {
            program.fail("set more than " + program.kernel.limits().timers() + " timers at once");
            return error("Error", "too many timers");
        }
        int id = ++nextTimer;
        long delay = Math.max(repeat ? Limits.MIN_TIMER_MILLIS : 0, (long) ms);
        AtomicBoolean queued = new AtomicBoolean();
        Runnable fire = () -> {
            if (program.ended()) {
                // ends a periodic task for good, even one set after the program's timers were cancelled
                throw new java.util.concurrent.CancellationException();
            }
            // a timer the loop has not caught up with is not queued twice
            if (queued.compareAndSet(false, true)) {
                program.post("timer " + id, () -> {
                    queued.set(false);
                    if (!repeat) {
                        timers.remove(id);
                    }
                    if (repeat && !timers.containsKey(id)) {
                        return;
                    }
                    f.executeVoid();
                });
            }
        };
        ScheduledFuture<?> task = repeat
                ? program.kernel.clock().scheduleAtFixedRate(fire, delay, delay, TimeUnit.MILLISECONDS)
                : program.kernel.clock().schedule(fire, delay, TimeUnit.MILLISECONDS);
        timers.put(id, task);
        return ok(id);
    }

    @HostAccess.Export
    public String cancel(double id) {
        return guarded(() -> cancelCall(id));
    }

    private String cancelCall(double id) {
        ScheduledFuture<?> t = program.timers().remove((int) id);
        if (t != null) {
            t.cancel(false);
        }
        return ok(t != null);
    }

    @HostAccess.Export
    public String log(String line) {
        return guarded(() -> logCall(line));
    }

    private String logCall(String line) {
        if (!countLine()) {
            return error("Error", "log volume exceeded");
        }
        program.kernel.host().log(program.name, line);
        return ok(null);
    }

    /** One more line in the log window; false (and the program failed) past the limit. */
    private synchronized boolean countLine() {
        long now = System.currentTimeMillis();
        if (now - logWindowStart > program.kernel.limits().logWindowMillis()) {
            logWindowStart = now;
            logLinesInWindow = 0;
        }
        if (++logLinesInWindow > program.kernel.limits().logLines()) {
            program.fail("logged more than " + program.kernel.limits().logLines() + " lines in "
                    + program.kernel.limits().logWindowMillis() / 1000 + " s");
            return false;
        }
        return true;
    }

    @HostAccess.Export
    public String storeGet(String key) {
        return guarded(() -> stores.get(key));
    }

    @HostAccess.Export
    public String storeSet(String key, String json) {
        return guarded(() -> stores.set(key, json));
    }

    @HostAccess.Export
    public String storeRemove(String key) {
        return guarded(() -> stores.remove(key));
    }

    @HostAccess.Export
    public String storeKeys() {
        return guarded(stores::keys);
    }

    /**
     * Every system call: refused once the program has ended (a script that caught its failure
     * must not go on acting), and never throwing into the script: a host exception would hand
     * it a host object.
     */
    private String guarded(java.util.function.Supplier<String> call) {
        if (program.ended()) {
            return error("Error", "program " + program.name + " has ended");
        }
        try {
            return call.get();
        } catch (RuntimeException e) {
            return error("Error", "the system call failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private boolean reservePending() {
        if (pending.incrementAndGet() > program.kernel.limits().pendingCalls()) {
            pending.decrementAndGet();
            program.fail("had more than " + program.kernel.limits().pendingCalls() + " remote operations pending");
            return false;
        }
        return true;
    }

    /** The refusal if the program lacks the privilege for {@code call}, written to the audit trail; else null. */
    private String deny(String call, String what) {
        String missing = program.privileges().missing(call);
        return missing == null ? null : deniedLine(what, missing);
    }

    /** Audits a refusal; refusals count against the program's log volume, so they cannot flood the audit log. */
    private String deniedLine(String what, String missing) {
        if (!countLine()) {
            return error("Error", "log volume exceeded");
        }
        program.kernel.host().audit(program.name, "denied " + what + ": needs privilege " + missing);
        return error("PrivilegeError", what + " needs privilege " + missing + " (not granted to " + program.name + ")");
    }
}
