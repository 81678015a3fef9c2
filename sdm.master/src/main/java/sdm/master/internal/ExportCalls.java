package sdm.master.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Logger;

import sdm.api.ExportException;
import sdm.api.NodeInfo;
import sdm.api.ProgramRuntime;
import sdm.api.ProgramState;
import sdm.api.node.ErrorLine;
import sdm.api.node.TerminalText;
import sdm.api.node.ThrottledLog;
import sdm.archive.JamManifest;
import sdm.archive.NativeType;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.Post;

/**
 * Calls of the programs' JavaScript exports from their C code on the slaves. Each is checked
 * here against the program's {@code master.exports} (declared, arguments of the declared types,
 * the program started) before the JavaScript runtime sees it; a call is answered to its slave,
 * and posts are handed over in the order they were made, each once, unless it expired on the
 * way. Counted per node and program, as {@code node.NAME.js.PROGRAM.*} in {@code sdm:master}.
 * Runs on the endpoint's thread and never blocks it.
 */
final class ExportCalls {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    /** How long a post's function may run, at most, once handed over. */
    static final Duration POST_TIMEOUT = Duration.ofSeconds(10);

    private final ProgramStore store;
    private final Manifests manifests;
    private final Supplier<ProgramRuntime> runtime;
    private final Wire wire;
    /** Per node: the slave's run (epoch) and the last post of it handed over; endpoint thread only. */
    private final Map<String, long[]> seen = new ConcurrentHashMap<>();
    /** By node id, then {@code PROGRAM.counter}. */
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20, 60_000);

    ExportCalls(ProgramStore store, Manifests manifests, Supplier<ProgramRuntime> runtime, Wire wire) {
        this.store = store;
        this.manifests = manifests;
        this.runtime = runtime;
        this.wire = wire;
    }

    void onCall(String nodeId, MasterEndpoint.Peer from, Message.ExportCall call) {
        String routingId = from.routingId();
        List<Object> args;
        try {
            args = checked(call.program(), call.function(), call.args());
        } catch (ExportException e) {
            count(nodeId, call.program(), "callsRefusedAtMaster");
            refused(nodeId, call.program(), call.function(), e);
            wire.send(routingId, new Message.ExportResult(call.callId(), e.reason().code(), null, e.getMessage()));
            return;
        }
        run(call.program(), call.function(), args, nodeId, Duration.ofMillis(call.timeoutMs())).whenComplete((v, t) -> {
            if (t == null) {
                count(nodeId, call.program(), "callsAnswered");
                wire.send(routingId, new Message.ExportResult(call.callId(), 0, v, ""));
            } else {
                count(nodeId, call.program(), "callsFailed");
                ExportException e = reason(t);
                wire.send(routingId, new Message.ExportResult(call.callId(), e.reason().code(), null, e.getMessage()));
            }
        });
    }

    /** Acknowledges the posts at once, then hands over each new one that has not expired. */
    void onPosts(String nodeId, MasterEndpoint.Peer from, Message.Posts posts) {
        long[] last = seen.compute(nodeId, (k, v) -> v == null || v[0] != posts.epoch() ? new long[] {posts.epoch(), 0} : v);
        long newest = posts.posts().getLast().seq();
        wire.send(from.routingId(), new Message.PostAck(posts.epoch(), Math.max(last[1], newest)));
        for (Post p : posts.posts()) {
            if (p.seq() <= last[1]) {
                count(nodeId, p.program(), "postsDuplicate"); // sent again after a reconnection
                continue;
            }
            last[1] = p.seq();
            if (from.senderNowMs() != 0 && from.senderNowMs() > p.atMs() + p.ttlMs()) {
                count(nodeId, p.program(), "postsExpiredAtMaster");
                continue;
            }
            List<Object> args;
            try {
                args = checked(p.program(), p.function(), p.args());
            } catch (ExportException e) {
                count(nodeId, p.program(), "postsRefused");
                refused(nodeId, p.program(), p.function(), e);
                continue;
            }
            count(nodeId, p.program(), "postsDelivered");
            run(p.program(), p.function(), args, nodeId, POST_TIMEOUT).whenComplete((v, t) -> {
                if (t != null) {
                    count(nodeId, p.program(), "postsFailed");
                }
            });
        }
    }

    private java.util.concurrent.CompletionStage<Object> run(String program, String function, List<Object> args,
            String nodeId, Duration timeout) {
        ProgramRuntime js = runtime.get();
        if (js == null) {
            return java.util.concurrent.CompletableFuture.failedStage(new ExportException(
                    ExportException.Reason.NOT_RUNNING, "this master runs no JavaScript"));
        }
        try {
            return js.callExport(program, function, args, nodeId, timeout);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedStage(
                    new ExportException(ExportException.Reason.FAILED, ErrorLine.of(e)));
        }
    }

    /** The arguments as the export's declared types, or why the call cannot be made. */
    private List<Object> checked(String program, String function, List<Object> args) throws ExportException {
        ProgramStore.Program p = store.get(program).orElse(null);
        JamManifest m = p == null ? null : manifests.get(p.sha256());
        JamManifest.Function f = m == null || m.master() == null ? null : m.master().export(function);
        if (f == null) {
            throw new ExportException(ExportException.Reason.NOT_DECLARED, p == null
                    ? "no program named '" + program + "' is installed"
                    : "program " + program + " exports no function '" + function + "'");
        }
        if (p.state() != ProgramState.ACTIVE) {
            throw new ExportException(ExportException.Reason.NOT_RUNNING,
                    "program " + program + " is not started (it is " + p.state() + ")");
        }
        String signature = function + "(" + String.join(", ", f.params()) + ")";
        if (args.size() != f.params().size()) {
            throw new ExportException(ExportException.Reason.BAD_ARGUMENTS, signature + " takes " + f.params().size()
                    + " argument" + (f.params().size() == 1 ? "" : "s") + ", got " + args.size());
        }
        List<Object> typed = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            NativeType type = NativeType.named(f.params().get(i));
            Object a = args.get(i);
            try {
                if (a instanceof String && type != NativeType.STRING) {
                    throw new IllegalArgumentException("a string is not a" + (type == NativeType.INT ? "n " : " ")
                            + type.manifestName());
                }
                typed.add(type.argument(a));
            } catch (IllegalArgumentException e) {
                throw new ExportException(ExportException.Reason.BAD_ARGUMENTS,
                        "argument " + (i + 1) + " of " + signature + ": " + e.getMessage());
            }
        }
        return typed;
    }

    private static ExportException reason(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof ExportException e ? e
                : new ExportException(ExportException.Reason.FAILED, ErrorLine.of(cause));
    }

    private void refused(String nodeId, String program, String function, ExportException e) {
        refusals.warn("refused a call of " + TerminalText.escape(program + "." + function) + "() from node " + nodeId
                + ": " + TerminalText.escape(e.getMessage()));
    }

    private void count(String nodeId, String program, String counter) {
        counters.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(program + "." + counter, k -> new LongAdder()).increment();
    }

    /** A node forgotten by the registry. */
    void forget(String nodeId) {
        seen.remove(nodeId);
        counters.remove(nodeId);
    }

    /** Adds {@code node.NAME.js.PROGRAM.COUNTER} for every node and program that called an export. */
    void addTo(Map<String, Long> out, List<NodeInfo> nodes) {
        for (NodeInfo n : nodes) {
            counters.getOrDefault(n.id(), Map.of()).forEach((k, v) -> out.put("node." + n.name() + ".js." + k, v.sum()));
        }
    }
}
