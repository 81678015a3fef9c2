package sdm.archive;

/** An archive that breaks a rule; the message is one line naming what is wrong. */
public final class ArchiveException extends Exception {

    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(message, null, false, false);
    }
}
