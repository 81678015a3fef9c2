package sdm.master.internal;

/** A program command that cannot be carried out; the message is one line for the operator. */
final class ProgramException extends Exception {
    private static final long serialVersionUID = 1L;

    ProgramException(String message) {
        super(message, null, false, false);
    }
}
