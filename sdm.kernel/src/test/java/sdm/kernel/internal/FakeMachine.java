package sdm.kernel.internal;

import java.util.List;
import java.util.Map;

import sdm.api.MachineInfo;
import sdm.api.MasterInfo;
import sdm.api.NodeInfo;
import sdm.api.ReplicaInfo;

/** A machine of a master and the slaves a test gives it. */
final class FakeMachine implements MachineInfo {

    static final NodeInfo SELF = node("m-1", "master", true);
    static final MasterInfo MASTER = new MasterInfo("m-1", "10.0.0.1:5555", List.of(new ReplicaInfo("m2", "10.0.0.2:5555", "follower", 3, 41, 40, 0, 12, true)), 1_234,
            "0.1.0", true, Map.of("messagesIn", 7L), 500, 3_000);

    volatile List<NodeInfo> nodes = List.of();
    /** When set, every question fails with it. */
    volatile RuntimeException failure;

    static NodeInfo node(String id, String name, boolean online) {
        return new NodeInfo(id, name, NodeInfo.Role.SLAVE, "10.0.1.9", "linux", "x86_64", Map.of("zone", "a"),
                "0.1.0", online, 42, 40, 0);
    }

    @Override
    public NodeInfo self() {
        check();
        return SELF;
    }

    @Override
    public MasterInfo master() {
        check();
        return MASTER;
    }

    @Override
    public List<NodeInfo> nodes() {
        check();
        return nodes;
    }

    private void check() {
        if (failure != null) {
            throw failure;
        }
    }
}
