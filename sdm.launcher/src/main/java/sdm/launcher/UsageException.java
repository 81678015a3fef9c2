package sdm.launcher;

/** A command line that cannot be run; the message is the one line the user sees. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
