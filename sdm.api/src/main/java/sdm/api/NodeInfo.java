package sdm.api;

import java.util.Map;

/**
 * One node of the machine as seen at one moment.
 *
 * @param id          persistent id of the node (survives restarts of its process)
 * @param name        human name, unique by convention, not enforced
 * @param role        master, slave, or machine: a child master joined as one node (stacking)
 * @param address     where the node's traffic comes from (slaves) or where it listens (master)
 * @param os          operating system, normalised (for example {@code linux})
 * @param arch        processor, normalised (for example {@code x86_64}, {@code aarch64})
 * @param labels      the labels given with {@code --label k=v}
 * @param version     SDM version the node runs
 * @param online      whether the node has been heard from within the liveness timeout
 * @param lastSeenMs  wall-clock time (ms since the epoch) when the node was last heard from
 * @param onlineSinceMs wall-clock time its current session began: when it last registered or
 *                    came back online; 0 if never
 * @param offlineSinceMs wall-clock time of the node's last transition to offline, 0 if never
 * @param slaves      of a machine, the slaves it has; 0 for a slave
 * @param slavesOnline of a machine, how many of its slaves are online; 0 for a slave
 */
public record NodeInfo(
        String id,
        String name,
        Role role,
        String address,
        String os,
        String arch,
        Map<String, String> labels,
        String version,
        boolean online,
        long lastSeenMs,
        long onlineSinceMs,
        long offlineSinceMs,
        int slaves,
        int slavesOnline) {

    public NodeInfo {
        labels = Map.copyOf(labels);
    }

    /** A master or a slave: no slaves of its own. */
    public NodeInfo(String id, String name, Role role, String address, String os, String arch,
            Map<String, String> labels, String version, boolean online, long lastSeenMs, long onlineSinceMs,
            long offlineSinceMs) {
        this(id, name, role, address, os, arch, labels, version, online, lastSeenMs, onlineSinceMs, offlineSinceMs,
                0, 0);
    }

    /** The node's role as {@code --json} and JavaScript name it: {@code slave}, {@code machine} or {@code master}. */
    public String kind() {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The part a node plays in the machine. */
    public enum Role {
        MASTER, SLAVE,
        /** A machine of its own, its master joined to this one as a node. */
        MACHINE
    }
}
