package sdm.transport.zmq;

/**
 * Who may connect to a master: asked by the ZAP handler at each CURVE handshake with the key
 * the client presents.
 */
@FunctionalInterface
public interface Admission {

    /**
     * The ZAP User-Id of a client presenting {@code publicKey} (see {@link PeerRole}), or null to
     * refuse it. Called on the ZAP thread: quick, thread-safe, and never blocking.
     */
    String userIdOf(String publicKey);
}
