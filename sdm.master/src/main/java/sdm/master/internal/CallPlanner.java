package sdm.master.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import sdm.api.CallException;
import sdm.api.NodeInfo;
import sdm.api.ProgramState;
import sdm.archive.JamManifest;
import sdm.archive.NativeType;
import sdm.transport.zmq.Message;

/**
 * Checks a native call before it is sent: the program is installed and started, has the
 * function, the arguments convert by its declared types; and says for each node asked (or each
 * the program is placed on) whether it can be called now.
 */
final class CallPlanner {

    /** Where a call goes: a node and its connection, or why that node cannot take it. */
    record Target(NodeInfo node, String routingId, String error) {
    }

    /** A call checked against the program's manifest and state. */
    record CallPlan(JamManifest.Function function, List<Object> args, List<Target> targets) {
    }

    private final ProgramStore store;
    private final Manifests manifests;
    private final NodeRegistry registry;
    private final Convergence convergence;

    CallPlanner(ProgramStore store, Manifests manifests, NodeRegistry registry, Convergence convergence) {
        this.store = store;
        this.manifests = manifests;
        this.registry = registry;
        this.convergence = convergence;
    }

    CallPlan plan(String program, String function, List<?> args, Set<String> nodeIds) throws CallException {
        ProgramStore.Program p = store.get(program).orElseThrow(
                () -> new CallException("no program named '" + program + "' is installed"));
        JamManifest m = manifests.get(p.sha256());
        if (m == null || m.nativeCode() == null) {
            throw new CallException("program " + program + " has no native functions");
        }
        JamManifest.Function f = m.nativeCode().functions().stream().filter(x -> x.name().equals(function))
                .findFirst().orElseThrow(() -> new CallException("program " + program + " has no function '"
                        + function + "' (it has " + String.join(", ", m.nativeCode().functions().stream()
                                .map(JamManifest.Function::name).toList()) + ")"));
        List<Object> typed = typed(f, function, args);
        if (p.state() != ProgramState.ACTIVE) {
            throw new CallException("program " + program + " is not started (it is " + p.state() + ")");
        }
        List<Target> targets = new ArrayList<>();
        for (NodeInfo n : chosen(program, m, nodeIds)) {
            targets.add(target(p, m, n));
        }
        return new CallPlan(f, typed, targets);
    }

    private static List<Object> typed(JamManifest.Function f, String function, List<?> args) throws CallException {
        String signature = function + "(" + String.join(", ", f.params()) + ")";
        if (args.size() != f.params().size()) {
            throw new CallException(signature + " takes " + f.params().size() + " argument"
                    + (f.params().size() == 1 ? "" : "s") + ", got " + args.size());
        }
        List<Object> typed = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            try {
                typed.add(NativeType.named(f.params().get(i)).argument(args.get(i)));
            } catch (IllegalArgumentException e) {
                throw new CallException("argument " + (i + 1) + " of " + signature + ": " + e.getMessage());
            }
        }
        return typed;
    }

    private List<NodeInfo> chosen(String program, JamManifest m, Set<String> nodeIds) throws CallException {
        if (nodeIds.isEmpty()) {
            return registry.snapshot().stream().filter(n -> Placement.selects(m, n)).toList();
        }
        List<NodeInfo> chosen = new ArrayList<>(nodeIds.size());
        for (String id : nodeIds) {
            NodeInfo n = registry.node(id);
            if (n == null || !Placement.selects(m, n)) {
                throw new CallException("node " + id + " is not one of program " + program + "'s nodes");
            }
            chosen.add(n);
        }
        return chosen;
    }

    private Target target(ProgramStore.Program p, JamManifest m, NodeInfo n) {
        String program = p.name();
        Message.ProgramStatus s = convergence.status(n.id(), program);
        String routingId = registry.routingIdOf(n.id());
        String error = !n.online() || routingId == null ? "node is offline"
                : !Placement.supports(m, n) ? "unsupported: no library for " + n.os() + "/" + n.arch()
                : s == null || !s.sha256().equals(p.sha256()) ? "program " + program + " is not active there yet"
                : s.state() == ProgramState.FAILED ? "program " + program + " failed there: " + s.error()
                : s.state() != ProgramState.ACTIVE ? "program " + program + " is " + s.state() + " there"
                : null;
        return new Target(n, error == null ? routingId : null, error);
    }
}
