package sdm.transport.zmq;

/** Helpers for the one thread that owns a socket. */
final class SocketThread {

    private SocketThread() {
    }

    /** Waits up to {@code millis} for the owner to leave its loop; keeps an interrupt pending. */
    static void join(Thread owner, long millis) {
        try {
            owner.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
