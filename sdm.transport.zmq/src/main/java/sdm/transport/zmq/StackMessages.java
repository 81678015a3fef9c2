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
    /** The most a tree reply may weigh, its characters counted: inside a frame (1 MiB) even at 3 bytes each. */
    public static final int MAX_TREE_CHARS = 256 * 1024;

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
            nodes = List.copyOf(nodes == null ? List.of() : nodes);
            long chars = weigh(nodes, 0);
            if (chars > MAX_TREE_CHARS) {
                throw new IllegalArgumentException("a tree of about " + chars + " characters, at most " + MAX_TREE_CHARS);
            }
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
            labels = checkLabels(labels);
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

    /** About what the nodes weigh as JSON, each with its fields' names (some 150 characters). */
    private static long weigh(List<TreeNode> nodes, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("a tree deeper than " + MAX_DEPTH + " levels");
        }
        long chars = 0;
        for (TreeNode n : nodes) {
            chars += 150 + n.id().length() + n.name().length() + n.os().length() + n.arch().length()
                    + n.error().length();
            for (Map.Entry<String, String> l : n.labels().entrySet()) {
                chars += 6 + l.getKey().length() + l.getValue().length();
            }
            chars += weigh(n.nodes(), depth + 1);
        }
        return chars;
    }
}
