package sdm.transport.zmq;

/** A frame that is not a message this transport accepts. */
public final class InvalidMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a frame was refused; each cause has its own counter. */
    public enum Cause {
        OVERSIZED, MALFORMED, UNKNOWN_TYPE, UNEXPECTED
    }

    private final Cause cause;

    public InvalidMessageException(Cause cause, String detail) {
        super(detail, null, false, false);
        this.cause = cause;
    }

    public Cause reason() {
        return cause;
    }
}
