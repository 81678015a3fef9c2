package sdm.transport.zmq;

/**
 * What a connected peer may do, decided by the key it presented at the handshake and told to
 * the ROUTER through the ZAP User-Id: {@code joiner}, {@code admin}, or {@code node:ID} for an
 * enrolled slave, whose connection is bound to that node id.
 */
public enum PeerRole {
    /** Presents the join token's key: may only enroll a key of its own. */
    JOINER("joiner"),
    /** Presents an enrolled key: may register as its node and heartbeat, never run commands. */
    SLAVE("node:"),
    /** Holds the admin key: may run shell commands. */
    ADMIN("admin");

    private final String userId;

    PeerRole(String userId) {
        this.userId = userId;
    }

    /** The User-Id of a peer of this role; for a slave, {@link #slaveUserId} instead. */
    public String userId() {
        return userId;
    }

    /** The User-Id of the slave enrolled as {@code nodeId}. */
    public static String slaveUserId(String nodeId) {
        return SLAVE.userId + nodeId;
    }

    static PeerRole fromUserId(String userId) {
        if (userId == null) {
            return null;
        }
        if (userId.startsWith(SLAVE.userId) && userId.length() > SLAVE.userId.length()) {
            return SLAVE;
        }
        return userId.equals(JOINER.userId) ? JOINER : userId.equals(ADMIN.userId) ? ADMIN : null;
    }

    /** The node id a slave's User-Id binds its connection to; null for other roles. */
    static String nodeIdOf(String userId) {
        return fromUserId(userId) == SLAVE ? userId.substring(SLAVE.userId.length()) : null;
    }
}
