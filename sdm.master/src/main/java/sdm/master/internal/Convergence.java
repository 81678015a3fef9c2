package sdm.master.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import sdm.api.NodeInfo;
import sdm.api.ProgramState;
import sdm.archive.JamManifest;
import sdm.transport.zmq.Message;

/**
 * Brings every slave to its desired state: each online slave is sent its whole desired state
 * after every change, when it (re)registers, and again while it lags behind; what it reports is
 * kept until its next report, and commands wait on it. Convergence, never a replay of commands.
 * <p>
 * Reports come from the endpoint thread, which never waits on a lock held across disk or
 * network work: waiters check their condition outside the {@code reported} monitor.
 */
final class Convergence implements AutoCloseable {

    private static final long REPUSH_MS = 2_000;

    private final ProgramStore store;
    private final NodeRegistry registry;
    private final Manifests manifests;
    private final Rollouts rollouts;
    private final Object pushes = new Object();
    private final Object reported = new Object();
    private final Map<String, Map<String, Message.ProgramStatus>> reports = new ConcurrentHashMap<>();
    private final Map<String, Long> lastPush = new ConcurrentHashMap<>();
    private volatile Wire wire;

    Convergence(ProgramStore store, NodeRegistry registry, Manifests manifests, Rollouts rollouts) {
        this.store = store;
        this.registry = registry;
        this.manifests = manifests;
        this.rollouts = rollouts;
    }

    void connect(Wire endpoint) {
        this.wire = endpoint;
    }

    @Override
    public void close() {
        wire = null;
    }

    /** A node (re)registered: forget what it said on its last connection and send it its desired state. */
    void nodeRegistered(String nodeId) {
        reports.remove(nodeId);
        NodeInfo node = registry.node(nodeId);
        if (node != null) {
            push(node);
        }
    }

    /** A node forgotten by the registry: what it last reported goes with it. */
    void forget(String nodeId) {
        reports.remove(nodeId);
        lastPush.remove(nodeId);
    }

    void onReport(String nodeId, Message.Report report) {
        Map<String, Message.ProgramStatus> byName = new HashMap<>();
        report.programs().forEach(s -> byName.put(s.name(), s));
        reports.put(nodeId, byName);
        synchronized (reported) {
            reported.notifyAll();
        }
    }

    /** What a node last reported of a program, or null. */
    Message.ProgramStatus status(String nodeId, String program) {
        return reports.getOrDefault(nodeId, Map.of()).get(program);
    }

    /** Sends every online node its desired state. */
    void pushAll() {
        registry.snapshot().stream().filter(NodeInfo::online).forEach(this::push);
    }

    /**
     * One lock around building and queueing: a desired state built before a change can never be
     * queued after one built from it.
     */
    void push(NodeInfo node) {
        synchronized (pushes) {
            Wire w = wire;
            String routingId = registry.routingIdOf(node.id());
            if (w == null || routingId == null) {
                return;
            }
            w.send(routingId, new Message.Desired(store.revision(), desiredFor(node)));
            lastPush.put(node.id(), System.currentTimeMillis());
        }
    }

    private List<Message.DesiredProgram> desiredFor(NodeInfo node) {
        List<Message.DesiredProgram> out = new ArrayList<>();
        for (ProgramStore.Program latest : store.programs()) {
            ProgramStore.Program p = rollouts.versionFor(latest, node.id());
            JamManifest m = manifests.get(p.sha256());
            if (Placement.selects(m, node)) {
                out.add(new Message.DesiredProgram(p.name(), p.version(), p.sha256(), p.size(),
                        Placement.expected(p, m, node), p.attempt()));
            }
        }
        return out;
    }

    /**
     * Anti-entropy, every second: a node that is online but not at its desired state, and was
     * last sent it a while ago, is sent it again (a message lost to a reconnection, a node back
     * from a freeze).
     */
    void sweep(long now) {
        for (NodeInfo node : registry.snapshot()) {
            if (node.online() && !converged(node) && now - lastPush.getOrDefault(node.id(), 0L) > REPUSH_MS) {
                push(node);
            }
        }
        synchronized (reported) {
            reported.notifyAll();
        }
    }

    private boolean converged(NodeInfo node) {
        Map<String, Message.ProgramStatus> has = reports.get(node.id());
        if (has == null) {
            return false;
        }
        List<Message.DesiredProgram> want = desiredFor(node);
        if (want.size() != has.size()) {
            return false;
        }
        for (Message.DesiredProgram d : want) {
            Message.ProgramStatus s = has.get(d.name());
            if (s == null || !settled(s, d.sha256(), d.state(), d.attempt())) {
                return false;
            }
        }
        return true;
    }

    /** A node has answered this attempt: it is there, or it failed at it. */
    private static boolean settled(Message.ProgramStatus s, String sha256, ProgramState expected,
            long attempt) {
        return s.sha256().equals(sha256) && s.attempt() == attempt
                && (s.state() == expected || s.state() == ProgramState.FAILED);
    }

    /** Where each slave that the program selects stands with it. */
    List<NodeState> nodes(ProgramStore.Program p, JamManifest m) {
        List<NodeState> nodes = new ArrayList<>();
        for (NodeInfo n : registry.snapshot()) {
            if (!Placement.selects(m, n)) {
                continue;
            }
            Message.ProgramStatus s = status(n.id(), p.name());
            String last = s == null ? "" : "; last " + s.state() + " " + s.version();
            if (!n.online()) {
                nodes.add(new NodeState(n.id(), n.name(), ProgramState.PENDING, "offline" + last));
            } else if (s == null) {
                nodes.add(new NodeState(n.id(), n.name(), ProgramState.PENDING, "not reported yet"));
            } else if (!s.sha256().equals(p.sha256())) {
                nodes.add(new NodeState(n.id(), n.name(), ProgramState.PENDING, "has " + s.version() + " " + s.state()));
            } else {
                nodes.add(new NodeState(n.id(), n.name(), s.state(), s.error()));
            }
        }
        return nodes;
    }

    /** After an uninstall: each node that had the program or was selected, and whether it is gone there. */
    List<NodeState> removal(String name, JamManifest m, Duration timeout) {
        List<NodeState> nodes = new ArrayList<>();
        for (NodeInfo n : registry.snapshot()) {
            Message.ProgramStatus s = status(n.id(), name);
            if (s != null || Placement.selects(m, n)) {
                nodes.add(!n.online() ? new NodeState(n.id(), n.name(), ProgramState.PENDING, "offline: removed when it returns")
                        : s == null ? new NodeState(n.id(), n.name(), ProgramState.REMOVED, "")
                        : new NodeState(n.id(), n.name(), s.state(),
                                "still there after " + timeout.toSeconds() + " s"));
            }
        }
        return nodes;
    }

    /** Whether one node has settled on the program's desired state (or is offline, and not waited for). */
    boolean nodeSettled(String name, String nodeId) {
        Optional<ProgramStore.Program> p = store.get(name);
        Optional<NodeInfo> node = registry.snapshot().stream().filter(n -> n.id().equals(nodeId)).findFirst();
        if (p.isEmpty() || node.isEmpty() || !node.get().online()) {
            return true;
        }
        Message.ProgramStatus s = status(nodeId, name);
        JamManifest m = manifests.get(p.get().sha256());
        return s != null && settled(s, p.get().sha256(), Placement.expected(p.get(), m, node.get()),
                p.get().attempt());
    }

    /** Waits until every online selected node has answered the program's current attempt, or the deadline. */
    void awaitSettled(String name, long deadline) {
        waitUntil(() -> {
            Optional<ProgramStore.Program> p = store.get(name);
            if (p.isEmpty()) {
                return true;
            }
            JamManifest m = manifests.get(p.get().sha256());
            return registry.snapshot().stream().filter(n -> n.online() && Placement.selects(m, n))
                    .allMatch(n -> nodeSettled(name, n.id()));
        }, deadline);
    }

    /** Waits until no online node reports the program any more, or the deadline. */
    void awaitRemoved(String name, long deadline) {
        waitUntil(() -> registry.snapshot().stream()
                .noneMatch(n -> n.online() && status(n.id(), name) != null), deadline);
    }

    /** The condition is checked outside the monitor, so the endpoint thread's notify never waits on it. */
    void waitUntil(BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            synchronized (reported) {
                try {
                    reported.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
