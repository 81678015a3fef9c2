package sdm.master.internal;

import java.util.List;

import sdm.api.ProgramState;
import sdm.archive.JamManifest;

/** A program and where each node stands with it. */
record ProgramView(ProgramStore.Program program, JamManifest manifest, NodeState master, List<NodeState> nodes) {

    /** Selected slaves at the desired state (or unsupported, which is all they can be). */
    long atDesired() {
        return nodes.stream().filter(n -> n.state() == program.state() || n.state() == ProgramState.UNSUPPORTED)
                .count();
    }
}
