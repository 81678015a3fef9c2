package sdm.api.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The log the masters of a machine replicate. Only the leader appends; an operation is
 * acknowledged once a majority of the masters hold it and this master has applied it.
 */
@ProviderType
public interface ReplicatedLog {

    /**
     * Appends an operation. Completes with its index once committed and applied here, or
     * exceptionally with {@link NotLeaderException} on a master that is not the leader (or no
     * longer is), or with another exception if the operation could not be committed.
     */
    CompletableFuture<Long> append(byte[] operation);

    /** This master as the log sees it now. */
    ReplicaStatus self();

    /** Every master of the machine, this one included, in the order they were configured. */
    List<ReplicaStatus> replicas();

    /**
     * Whether this master leads now: it is the leader, and a majority confirmed it within its
     * lease. Cheap enough to ask for every message a leader acts on.
     */
    boolean leads();

    /**
     * Tells {@code listener} whether this master leads: at once, and on every change. One
     * listener at a time; null stops the calls.
     */
    void onLeadership(LeadershipListener listener);

    /**
     * Gives up leading, for a master elected that cannot serve: hands the leadership to another
     * master that answers, or steps down and lets the others elect one. Completes once done, or
     * at once on a master that does not lead.
     */
    CompletableFuture<Void> standAside();
}
