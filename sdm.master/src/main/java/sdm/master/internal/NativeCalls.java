package sdm.master.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.ProgramCalls;
import sdm.archive.NativeType;
import sdm.transport.zmq.Message;

/**
 * The master's side of native calls: checks a call against the program ({@link ProgramManager}),
 * sends one {@link Message.Call} to each node that can take it, and completes each node's
 * answer from its {@link Message.CallResult}, or with an error at the timeout. Results that come
 * late, or from another node than the one asked, are dropped.
 */
final class NativeCalls implements ProgramCalls, AutoCloseable {

    private record Pending(String nodeId, NativeType returns, CompletableFuture<CallResult> result,
            long deadlineNanos, long timeoutMs) {
    }

    private final CallPlanner planner;
    private final Wire wire;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Call ids of an earlier run of the master never match ours. */
    private final String idPrefix = Long.toString(System.currentTimeMillis(), 36) + "-";
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService callbacks = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().name("sdm-call-results-", 0).daemon().factory());
    private volatile boolean closed;
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    /** How often calls are checked against their timeout: a call ends at most this late. */
    private static final long SWEEP_MS = 10;

    NativeCalls(CallPlanner planner, Wire wire) {
        this.planner = planner;
        this.wire = wire;
        this.timers = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("sdm-call-timeouts").daemon().factory());
        // one sweep for every call instead of a timer each: scheduling and cancelling a timer per
        // call woke the timer thread on every call, a cost the call path itself then waited for
        timers.scheduleAtFixedRate(this::expire, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    /** Calls still waiting end with an error: nobody waits forever on a stopped master. */
    @Override
    public void close() {
        closed = true;
        timers.shutdownNow();
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            e.getValue().result().complete(CallResult.failure(e.getValue().nodeId(), "the master stopped"));
        }
        callbacks.shutdown();
    }

    @Override
    public CompletableFuture<Map<String, CallResult>> call(String program, String function, List<?> args,
            Set<String> nodes, Duration timeout, Duration ttl) throws CallException {
        if (timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new CallException("a call's timeout must be between 1 ms and " + MAX_TIMEOUT.toHours() + " h");
        }
        if (ttl.toMillis() < 1 || ttl.compareTo(timeout) > 0) {
            throw new CallException("a call's time to live must be between 1 ms and its timeout ("
                    + timeout.toMillis() + " ms)");
        }
        if (closed) {
            throw new CallException("the master is stopping");
        }
        CallPlanner.CallPlan plan = planner.plan(program, function, args, nodes);
        NativeType returns = NativeType.named(plan.function().returns());
        Map<String, CompletableFuture<CallResult>> byNode = new LinkedHashMap<>();
        for (CallPlanner.Target t : plan.targets()) {
            String nodeId = t.node().id();
            if (t.error() != null) {
                byNode.put(nodeId, CompletableFuture.completedFuture(CallResult.failure(nodeId, t.error())));
                continue;
            }
            String callId = idPrefix + ids.incrementAndGet();
            CompletableFuture<CallResult> result = new CompletableFuture<>();
            pending.put(callId, new Pending(nodeId, returns, result, System.nanoTime() + timeout.toNanos(),
                    timeout.toMillis()));
            result.whenComplete((r, e) -> pending.remove(callId));
            byNode.put(nodeId, result);
            if (closed) {
                // close() may have swept the pending calls just before this one was added
                result.complete(CallResult.failure(nodeId, "the master stopped"));
                continue;
            }
            // the message expires with the call's time to live: a node that reads it later drops it,
            // and one that queued it in time still never starts it past that
            wire.send(t.routingId(), new Message.Call(callId, program, function, plan.args(), ttl.toMillis()));
        }
        // completed by whichever thread settles the last node; the caller's stages run on a thread of
        // ours, never on the socket's or the timers' thread: a callback that blocks must not stop heartbeats
        PooledFuture<Map<String, CallResult>> all = new PooledFuture<>(callbacks);
        AtomicInteger unsettled = new AtomicInteger(byNode.size());
        Runnable settleOne = () -> {
            if (unsettled.decrementAndGet() == 0) {
                Map<String, CallResult> out = new LinkedHashMap<>();
                byNode.forEach((node, f) -> out.put(node, f.join()));
                all.complete(out);
            }
        };
        if (byNode.isEmpty()) {
            all.complete(Map.of());
        }
        byNode.values().forEach(f -> f.whenComplete((r, e) -> settleOne.run()));
        return all;
    }

    /** On the timer thread: ends the calls whose node has not answered in time. */
    private void expire() {
        long now = System.nanoTime();
        for (Pending p : pending.values()) {
            if (now - p.deadlineNanos() >= 0) {
                p.result().complete(CallResult.failure(p.nodeId(), "no answer within " + p.timeoutMs() + " ms"));
            }
        }
    }

    /** A node's session ended: its calls will not be answered, so they end now instead of at their timeout. */
    void sessionEnded(String nodeId, String why) {
        for (Pending p : pending.values()) {
            if (p.nodeId().equals(nodeId)) {
                p.result().complete(CallResult.failure(nodeId, why + " during the call"));
            }
        }
    }

    /** On the endpoint thread. */
    void onResult(String nodeId, Message.CallResult r) {
        Pending p = pending.get(r.callId());
        if (p == null || !p.nodeId().equals(nodeId)) {
            return;
        }
        if (!r.ok()) {
            p.result().complete(CallResult.failure(nodeId, r.error()));
            return;
        }
        Object value = r.value();
        if (p.returns() == NativeType.DOUBLE && value instanceof String s
                && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) {
            // JSON has no such numbers: Jackson writes them as these strings
            value = Double.valueOf(s);
        }
        if (p.returns() == NativeType.VOID) {
            value = null;
        } else if (value != null || p.returns() != NativeType.STRING) {
            try {
                value = p.returns().argument(value);
            } catch (IllegalArgumentException e) {
                p.result().complete(CallResult.failure(nodeId, "the node answered " + e.getMessage()));
                return;
            }
        }
        p.result().complete(CallResult.success(nodeId, value));
    }
}
