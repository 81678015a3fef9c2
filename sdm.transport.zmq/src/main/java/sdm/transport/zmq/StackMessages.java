package sdm.transport.zmq;

import static sdm.transport.zmq.WireFields.checkLabels;
import static sdm.transport.zmq.WireFields.checkText;
import static sdm.transport.zmq.WireFields.checkTimeout;

import java.util.List;
import java.util.Map;

import sdm.api.NodeInfo;
import sdm.api.NodeTree;

/**
 * What a master and its child machines say besides what a slave says (stacking), on the same
 * link: a child's slave counts, and the tree of nodes below it, asked when an operator asks.
 */
public final class StackMessages {

    /** The deepest tree a reply may carry: levels of machines below the one asked. */
    public static final int MAX_DEPTH = 8;
    /** The most nodes one level of a tree may list. */
    public static final int MAX_NODES = 10_000;

    private StackMessages() {
    }

    /** Child machine to its parent, on every change: how many slaves it has, how many of them online. */
    public record MachineCounts(int slaves, int slavesOnline) implements Message.Stacking {
        public MachineCounts {
            WireFields.checkCounts(slaves, slavesOnline);
        }
    }

    /** Master to a child machine: its tree of nodes, within {@code timeoutMs}. */
    public record TreeRequest(String requestId, long timeoutMs) implements Message.Stacking {
        public TreeRequest {
            checkText("requestId", requestId, 64);
            checkTimeout(timeoutMs);
        }
    }

    /** Child machine to its master: the nodes below it, or why it has none to give ({@code error}, else empty). */
    public record TreeReply(String requestId, List<TreeNode> nodes, String error) implements Message.Stacking {
        public TreeReply {
            checkText("requestId", requestId, 64);
            nodes = bounded(nodes, 0);
            error = WireFields.checkError(error);
        }
    }

    /** One node of a tree, and of a machine the nodes below it (or the error that stands for them, else empty). */
    public record TreeNode(String id, String name, boolean machine, boolean online, String os, String arch,
            Map<String, String> labels, int slaves, int slavesOnline, List<TreeNode> nodes, String error) {
        public TreeNode {
            checkText("id", id, 64);
            checkText("name", name, 128);
            checkText("os", os, 64);
            checkText("arch", arch, 64);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            checkLabels(labels);
            WireFields.checkCounts(slaves, slavesOnline);
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
            error = WireFields.checkError(error);
        }
    }

    /** A machine's tree as it travels. */
    public static List<TreeNode> toWire(List<NodeTree> tree) {
        return tree.stream().map(t -> {
            NodeInfo n = t.node();
            return new TreeNode(n.id(), n.name(), n.role() == NodeInfo.Role.MACHINE, n.online(), n.os(), n.arch(),
                    n.labels(), n.slaves(), n.slavesOnline(), toWire(t.nodes()), t.error());
        }).toList();
    }

    /** A tree that travelled: its nodes as their master knew them, without what stays there (address, times). */
    public static List<NodeTree> fromWire(List<TreeNode> tree) {
        return tree.stream().map(t -> new NodeTree(new NodeInfo(t.id(), t.name(),
                t.machine() ? NodeInfo.Role.MACHINE : NodeInfo.Role.SLAVE, "", t.os(), t.arch(), t.labels(), "",
                t.online(), 0, 0, 0, t.slaves(), t.slavesOnline()), fromWire(t.nodes()),
                t.error().isEmpty() ? null : t.error())).toList();
    }

    private static List<TreeNode> bounded(List<TreeNode> nodes, int depth) {
        List<TreeNode> copy = nodes == null ? List.of() : List.copyOf(nodes);
        if (copy.size() > MAX_NODES) {
            throw new IllegalArgumentException("a tree level of " + copy.size() + " nodes, at most " + MAX_NODES);
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("a tree deeper than " + MAX_DEPTH + " levels");
        }
        copy.forEach(n -> bounded(n.nodes(), depth + 1));
        return copy;
    }
}
