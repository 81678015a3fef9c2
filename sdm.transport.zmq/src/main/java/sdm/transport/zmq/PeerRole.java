package sdm.transport.zmq;

/** What a connected peer may do, decided by the key it presented at the handshake. */
public enum PeerRole {
    /** Holds the join token: may register and heartbeat, never run commands. */
    SLAVE("slave"),
    /** Holds the admin key: may run shell commands. */
    ADMIN("admin");

    private final String userId;

    PeerRole(String userId) {
        this.userId = userId;
    }

    String userId() {
        return userId;
    }

    static PeerRole fromUserId(String userId) {
        for (PeerRole r : values()) {
            if (r.userId.equals(userId)) {
                return r;
            }
        }
        return null;
    }
}
