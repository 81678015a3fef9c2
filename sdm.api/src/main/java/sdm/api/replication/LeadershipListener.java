package sdm.api.replication;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when this master starts and stops leading. A master leads only while a majority of the
 * masters answered it within its lease, so it stops before any other master can be elected.
 * Calls come one at a time, in order, on a thread of the log's.
 */
@ConsumerType
public interface LeadershipListener {

    /** This master leads in {@code term}: it has applied everything committed before and may act on it. */
    void leading(long term);

    /**
     * This master does not lead (any more); {@code leaderAddress} is the leader's
     * {@code host:port} of its slaves' endpoint, or null while none is known.
     */
    void following(long term, String leaderAddress);
}
