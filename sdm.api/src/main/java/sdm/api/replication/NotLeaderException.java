package sdm.api.replication;

/** This master is not the leader: {@link #leaderAddress()} is, if one is known. */
public final class NotLeaderException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String leaderAddress;

    public NotLeaderException(String leaderAddress) {
        super(leaderAddress == null ? "not the leader, and no leader is known now" : "not the leader: " + leaderAddress
                + " is");
        this.leaderAddress = leaderAddress;
    }

    /** The leader's address ({@code host:port} of its slaves' endpoint), or null while there is none. */
    public String leaderAddress() {
        return leaderAddress;
    }
}
