package sdm.api;

/** A native call that cannot be made at all; the message is one line for the caller. */
public final class CallException extends Exception {
    private static final long serialVersionUID = 1L;

    public CallException(String message) {
        super(message, null, false, false);
    }
}
