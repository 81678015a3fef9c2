package sdm.master.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import sdm.api.NodeInfo;
import sdm.api.node.TerminalText;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.StackMessages;

/**
 * Every slave the master has heard of, keyed by node id, with the connection it last came
 * from and when. A node is online while it has been heard from within the liveness timeout.
 * Thread-safe: the endpoint thread feeds it, the liveness sweep and readers snapshot it.
 */
final class NodeRegistry {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private static final class Node {
        Message.Register registration;
        String routingId;
        String address;
        long lastSeenMs;
        boolean online;
        long onlineSinceMs;
        long offlineSinceMs;
        boolean duplicateReported;
        /** Of a child machine, as it last said. */
        StackMessages.MachineCounts counts = new StackMessages.MachineCounts(0, 0);

        NodeInfo snapshot() {
            Message.Register r = registration;
            return new NodeInfo(r.nodeId(), r.name(), r.machine() ? NodeInfo.Role.MACHINE : NodeInfo.Role.SLAVE,
                    address, r.os(), r.arch(), r.labels(), r.version(), online, lastSeenMs, onlineSinceMs,
                    offlineSinceMs, counts.slaves(), counts.slavesOnline());
        }
    }

    private volatile long livenessMs;
    private final Map<String, Node> byId = new HashMap<>();
    private final Map<String, Node> byRoutingId = new HashMap<>();
    /** Connections a node has left for a newer one, the most recent few. */
    private final Map<String, Node> replaced = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Node> eldest) {
            return size() > 1024;
        }
    };

    /** Told (node id, why) when a node's session ends: it went offline, or came back on a new connection. */
    private volatile java.util.function.BiConsumer<String, String> sessionEnded = (id, why) -> { };
    private volatile java.util.function.Consumer<Transition> transitions = t -> { };

    void onSessionEnded(java.util.function.BiConsumer<String, String> listener) {
        this.sessionEnded = listener;
    }

    /** A node came online (joined, came back, reconnected) or went offline; {@code line} says which, for people. */
    record Transition(String nodeId, boolean online, String line) {
    }

    /** Told each transition, under the registry's lock: return at once. */
    void onTransition(java.util.function.Consumer<Transition> listener) {
        this.transitions = listener;
    }

    private void transition(Node node, String line) {
        if (node.online) {
            LOG.info(line);
        } else {
            LOG.warning(line);
        }
        transitions.accept(new Transition(node.registration.nodeId(), node.online, line));
    }

    NodeRegistry(long livenessMs) {
        this.livenessMs = livenessMs;
    }

    /** A new liveness timeout, from the next sweep on. */
    void liveness(long ms) {
        this.livenessMs = ms;
    }

    /** A registration from a connection: the node is (again) online behind that connection. */
    synchronized void register(String routingId, String address, Message.Register registration, long now) {
        Node node = byId.computeIfAbsent(registration.nodeId(), id -> new Node());
        boolean known = node.registration != null;
        boolean sameConnection = routingId.equals(node.routingId);
        if (node.routingId != null && !sameConnection) {
            byRoutingId.remove(node.routingId);
            replaced.put(node.routingId, node);
            if (node.online) {
                sessionEnded.accept(registration.nodeId(), "the node reconnected (restarted?)");
            }
        }
        node.registration = registration;
        node.routingId = routingId;
        node.address = address == null ? "?" : address;
        byRoutingId.put(routingId, node);
        node.lastSeenMs = now;
        if (!node.online || !sameConnection) {
            // a new connection starts a new session, even when the node never looked offline
            // (a slave restarted within the liveness timeout)
            String line = "node " + describe(node) + (!known ? " joined" : node.online ? " re-registered"
                    : " is back online after " + (now - node.offlineSinceMs) + " ms offline") + " from " + node.address;
            node.online = true;
            node.onlineSinceMs = now;
            transition(node, line);
        }
    }

    /** A child machine's slave counts; a slave's are ignored (it has none). */
    synchronized void counts(String nodeId, StackMessages.MachineCounts counts) {
        Node node = byId.get(nodeId);
        if (node != null && node.registration.machine()) {
            node.counts = counts;
        }
    }

    /**
     * Any traffic from a connection counts as a sign of life.
     *
     * @return false if the connection is not known (the node must register again)
     */
    synchronized boolean touch(String routingId, long now) {
        Node node = byRoutingId.get(routingId);
        if (node == null) {
            Node other = replaced.get(routingId);
            if (other != null && !other.duplicateReported) {
                // a connection this node left is still talking: two processes share its id
                other.duplicateReported = true;
                LOG.warning("two slaves claim node id " + other.registration.nodeId() + " (one of them at "
                        + other.address + "): give each its own data folder");
            }
            return false;
        }
        node.lastSeenMs = now;
        if (!node.online) {
            node.online = true;
            node.onlineSinceMs = now;
            transition(node, "node " + describe(node) + " is back online after " + (now - node.offlineSinceMs)
                    + " ms offline");
        }
        return true;
    }

    /** Marks offline every node silent for longer than the liveness timeout. */
    synchronized void sweep(long now) {
        for (Node node : byId.values()) {
            if (node.online && now - node.lastSeenMs > livenessMs) {
                node.online = false;
                sessionEnded.accept(node.registration.nodeId(), "the node went offline");
                node.offlineSinceMs = now;
                transition(node, "node " + describe(node) + " is offline: silent for " + (now - node.lastSeenMs) + " ms");
            }
        }
    }

    /**
     * Forgets every node offline for longer than {@code offlineMs}, and tells the other books of
     * nodes to forget it too: a slave that comes back registers as a new one. Bounds the
     * registry to the nodes seen within that time.
     */
    @SafeVarargs
    final void forget(long now, long offlineMs, java.util.function.Consumer<String>... books) {
        for (String id : forget(now, offlineMs)) {
            for (java.util.function.Consumer<String> book : books) {
                book.accept(id);
            }
        }
    }

    private synchronized List<String> forget(long now, long offlineMs) {
        List<String> gone = new ArrayList<>();
        java.util.Iterator<Node> it = byId.values().iterator();
        while (it.hasNext()) {
            Node node = it.next();
            if (!node.online && now - node.offlineSinceMs > offlineMs) {
                it.remove();
                if (node.routingId != null) {
                    byRoutingId.remove(node.routingId, node);
                }
                replaced.values().removeIf(n -> n == node);
                gone.add(node.registration.nodeId());
                LOG.info("forgot node " + describe(node) + ": offline for " + (now - node.offlineSinceMs) + " ms");
            }
        }
        return gone;
    }

    /** Takes a node offline at once and forgets its connection (a revoked node). */
    synchronized void disconnect(String nodeId, long now) {
        Node node = byId.get(nodeId);
        if (node == null) {
            return;
        }
        if (node.routingId != null) {
            byRoutingId.remove(node.routingId);
            node.routingId = null;
        }
        if (node.online) {
            node.online = false;
            sessionEnded.accept(nodeId, "the node was revoked");
            node.offlineSinceMs = now;
            transition(node, "node " + describe(node) + " is offline: revoked");
        }
    }

    /** The connection a node is behind now, if it is online. */
    synchronized String routingIdOf(String nodeId) {
        Node node = byId.get(nodeId);
        return node == null || !node.online ? null : node.routingId;
    }

    /** The node behind a connection, or null if the connection is not (or no longer) a node's. */
    synchronized String nodeIdOf(String routingId) {
        Node node = byRoutingId.get(routingId);
        return node == null ? null : node.registration.nodeId();
    }

    /** One node, or null if it never registered. */
    synchronized NodeInfo node(String nodeId) {
        Node n = byId.get(nodeId);
        return n == null ? null : n.snapshot();
    }

    /** How many nodes are online now. */
    synchronized int onlineCount() {
        int n = 0;
        for (Node node : byId.values()) {
            n += node.online ? 1 : 0;
        }
        return n;
    }

    synchronized List<NodeInfo> snapshot() {
        List<NodeInfo> out = new ArrayList<>(byId.size());
        for (Node n : byId.values()) {
            out.add(n.snapshot());
        }
        out.sort(Comparator.comparing(NodeInfo::name).thenComparing(NodeInfo::id));
        return out;
    }

    private static String describe(Node node) {
        return TerminalText.escape(node.registration.name() + " (" + node.registration.nodeId() + ")");
    }
}
