package sdm.archive;

/**
 * An archive that breaks a rule; the message is one line naming what is wrong. Control
 * characters in it (a hostile entry name's line feed) are shown as {@code ?}.
 */
public final class ArchiveException extends Exception {

    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(message == null ? null : message.replaceAll("\\p{Cntrl}", "?"), null, false, false);
    }
}
