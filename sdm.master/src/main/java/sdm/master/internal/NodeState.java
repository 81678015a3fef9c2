package sdm.master.internal;

import sdm.api.ProgramState;

/** One node's state for a program, as the commands print it. */
record NodeState(String nodeId, String name, ProgramState state, String detail) {
}
