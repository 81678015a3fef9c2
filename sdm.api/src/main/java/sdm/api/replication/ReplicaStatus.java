package sdm.api.replication;

/**
 * One master of a replicated machine, as seen from the master asked.
 *
 * @param id            its replica id
 * @param address       {@code host:port} of its consensus endpoint
 * @param role          its role, as far as the master asked knows
 * @param term          the term the master asked is in
 * @param commitIndex   the highest index known committed (the master asked's own, for others)
 * @param appliedIndex  the highest index it applied; for another master, the highest the leader
 *                      knows it holds (-1 when unknown)
 * @param lagMs         how long it has been behind the commit index (0 when it is not, -1 when unknown:
 *                      only the leader knows the others')
 * @param lastContactMs how long ago the master asked last heard from it (0 for itself, -1 when unknown)
 */
public record ReplicaStatus(String id, String address, Role role, long term, long commitIndex, long appliedIndex,
        long lagMs, long lastContactMs) {

    /** What a replica is to the others. */
    public enum Role {
        LEADER, FOLLOWER, CANDIDATE, UNKNOWN;

        /** The name in shell output and JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
