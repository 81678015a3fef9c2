package sdm.master.internal;

import java.util.Map;

import sdm.api.NodeInfo;
import sdm.api.ProgramState;
import sdm.archive.JamManifest;

/** Which slaves a program's native part goes to, and what each of them can make of it. */
final class Placement {

    private Placement() {
    }

    /**
     * Whether a program's native part goes to this node: it has one, and the node is a slave with
     * every placement label. A child machine is given none: it runs programs of its own.
     */
    static boolean selects(JamManifest m, NodeInfo node) {
        if (m == null || m.nativeCode() == null || node.role() != NodeInfo.Role.SLAVE) {
            return false;
        }
        Map<String, String> wanted = m.placement() == null ? Map.of() : m.placement().labels();
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(node.labels().get(e.getKey())));
    }

    /** Whether the program has a library for the node's os and arch (not known: no). */
    static boolean supports(JamManifest m, NodeInfo node) {
        return m != null && m.nativeCode() != null && m.nativeCode().libraries().stream()
                .anyMatch(l -> l.os().equals(node.os()) && l.arch().equals(node.arch()));
    }

    /** The state a selected node is to reach: the program's, or {@code unsupported} where no library fits. */
    static ProgramState expected(ProgramStore.Program p, JamManifest m, NodeInfo node) {
        return supports(m, node) ? p.state() : ProgramState.UNSUPPORTED;
    }
}
