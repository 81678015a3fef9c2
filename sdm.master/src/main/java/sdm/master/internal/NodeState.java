package sdm.master.internal;

/** One node's state for a program, as the commands print it. */
record NodeState(String nodeId, String name, String state, String detail) {
}
