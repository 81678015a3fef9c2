package sdm.api;

import java.util.List;

/**
 * A node of a machine's tree ({@link MachineTree}): a slave, or a child machine with the nodes
 * below it.
 *
 * @param node   the node as its machine's master knows it
 * @param nodes  of a child machine, its own nodes; empty for a slave, or when {@code error} is set
 * @param error  why a child machine's nodes are missing (offline, no answer in time), else null
 */
public record NodeTree(NodeInfo node, List<NodeTree> nodes, String error) {

    public NodeTree {
        nodes = List.copyOf(nodes);
    }
}
