package sdm.kernel.internal;

import static sdm.kernel.internal.Answers.error;
import static sdm.kernel.internal.Answers.ok;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import sdm.api.MasterInfo;
import sdm.api.NodeInfo;

/**
 * The system calls of one program: the only host object its context sees, and only through the
 * prelude's closure. Every method runs on the program's loop, takes strings, numbers and JS
 * functions, and answers {@code "ok:JSON"} or {@code "error:KIND:MESSAGE"} (the prelude turns
 * errors into JS exceptions): nothing of the host reaches the program, not even an exception.
 */
public final class SystemCalls {

    private final JsProgram program;
    private Value dispatcher;
    private final StoreCalls stores;
    private final LogVolume logVolume;
    private final RemoteCalls remote;
    private int nextTimer;

    SystemCalls(JsProgram program) {
        this.program = program;
        this.stores = new StoreCalls(program);
        this.logVolume = new LogVolume(program);
        this.remote = new RemoteCalls(program, logVolume);
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
        out.put("kind", n.kind());
        if (n.role() == NodeInfo.Role.MACHINE) {
            out.put("slaves", n.slaves());
            out.put("slavesOnline", n.slavesOnline());
        }
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
        return guarded(() -> remote.call(function, argsJson, optionsJson, done));
    }

    @HostAccess.Export
    public String control(String action, String target, String optionsJson, Value done) {
        return guarded(() -> remote.control(action, target, optionsJson, done));
    }

    @HostAccess.Export
    public void exporter(Value f) {
        program.exports().invoker(f);
    }

    @HostAccess.Export
    public String export(String name) {
        return guarded(() -> program.exports().register(name));
    }

    @HostAccess.Export
    public String exportDone(double id, String kind, String text) {
        return guarded(() -> program.exports().done((int) id, kind, text));
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
        if (!(ms >= 0) || ms > RemoteCalls.MAX_CALL_TIMEOUT_MS) {
            return error("RangeError", "a timer's delay must be between 0 and " + RemoteCalls.MAX_CALL_TIMEOUT_MS + " ms");
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
        if (!logVolume.count()) {
            return error("Error", "log volume exceeded");
        }
        program.kernel.host().log(program.name, line);
        return ok(null);
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
}
