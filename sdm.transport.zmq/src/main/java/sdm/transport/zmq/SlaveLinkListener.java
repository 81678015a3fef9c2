package sdm.transport.zmq;

/** What a {@link SlaveLink} tells its node, on the link's thread: nothing here may block. */
public interface SlaveLinkListener {

    /** The master welcomed this node's registration. */
    default void onConnected(Message.Welcome welcome) {
    }

    /** The master went silent, or the link was reset; the link keeps trying. */
    default void onDisconnected(String reason) {
    }

    /** The master enrolled this slave's own key as {@code nodeId}: keep the key, say it is enrolled. */
    default void onEnrolled(String nodeId) {
    }

    /** The master refused this node's enrollment or registration, for {@code reason}; the link keeps trying. */
    default void onRefused(String reason) {
    }

    /**
     * Asked first for every call: runs it on the link's thread and returns its result when the
     * node knows the call to be short, or returns null at once to have it given to
     * {@link #onMessage}. A call that runs long here does not stall the link: another thread
     * takes over the socket meanwhile.
     */
    default Message.CallResult callInline(Message.Call call) {
        return null;
    }

    /** Any message other than heartbeats and the link's own control messages. */
    default void onMessage(Message message) {
    }
}
