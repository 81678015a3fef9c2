package sdm.api;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master of a machine as seen at one moment.
 *
 * @param id        persistent id of the master
 * @param address   the endpoint slaves connect to, {@code host:port}
 * @param replicas  every master of a replicated machine, this one included (empty for a single master)
 * @param uptimeMs  time since the master started
 * @param version   SDM version the master runs
 * @param online    whether the master is reachable from the node that answers (always true
 *                  on the master itself)
 * @param counters  traffic and error counters (messages in and out, messages dropped by
 *                  cause, refused handshakes), sorted by name
 * @param heartbeatMs how often the master and its slaves send heartbeats
 * @param livenessMs  how long a silent node stays online
 */
public record MasterInfo(
        String id,
        String address,
        List<ReplicaInfo> replicas,
        long uptimeMs,
        String version,
        boolean online,
        Map<String, Long> counters,
        long heartbeatMs,
        long livenessMs) {

    public MasterInfo {
        replicas = List.copyOf(replicas);
        counters = Collections.unmodifiableMap(new TreeMap<>(counters));
    }
}
