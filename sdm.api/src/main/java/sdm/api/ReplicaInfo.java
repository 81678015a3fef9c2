package sdm.api;

/**
 * One master of a replicated machine, as the master asked sees it.
 *
 * @param id            its replica id ({@code m1}, {@code m2}... in the order of {@code --replicas})
 * @param address       {@code host:port} of its endpoint for slaves and clients
 * @param role          {@code leader}, {@code follower}, {@code candidate}, or {@code unknown}
 * @param term          the term the master asked is in
 * @param commitIndex   the highest log index known committed
 * @param appliedIndex  the highest index it applied (for another master: the highest the leader
 *                      knows it holds; -1 when unknown)
 * @param lagMs         how long it has been behind the leader's commit (0 when it is not; -1
 *                      when unknown, as on a follower asked about the others)
 * @param lastContactMs how long ago the master asked heard from it (0 for itself, -1 when unknown)
 * @param online        whether the master asked heard from it within an election timeout
 */
public record ReplicaInfo(String id, String address, String role, long term, long commitIndex, long appliedIndex,
        long lagMs, long lastContactMs, boolean online) {
}
