package sdm.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a node knows of the machine it belongs to. Registered as an OSGi service on every
 * node: the master sees every slave; a slave sees itself and its link to the master.
 * <p>
 * Every method returns a snapshot taken at the moment of the call; none blocks on the
 * network.
 */
@ProviderType
public interface MachineInfo {

    /** This node's own identity and state. */
    NodeInfo self();

    /** The master of this machine: its id, address, replicas, uptime, version, counters. */
    MasterInfo master();

    /**
     * The slaves this node knows of, sorted by name then id. On the master: every slave that
     * has ever registered since it started, online or not. On a slave: only itself.
     */
    List<NodeInfo> nodes();

    /** One slave by id, or empty if no slave with that id is known. */
    default Optional<NodeInfo> node(String id) {
        return nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** Ids of the slaves that are offline now. */
    default List<String> offline() {
        return nodes().stream().filter(n -> !n.online()).map(NodeInfo::id).toList();
    }
}
