package sdm.api;

/**
 * Why a call of a program's JavaScript export from its C code failed; the message is one line
 * for the C caller. Each reason is an error code of {@code sdm.h}.
 */
public final class ExportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why, with the code of {@code sdm.h} that the C caller gets. */
    public enum Reason {
        /** {@code SDM_ETIMEDOUT}: the export did not answer within the call's timeout. */
        TIMED_OUT(-2),
        /** {@code SDM_ENOEXPORT}: the function is not one of the program's {@code master.exports}. */
        NOT_DECLARED(-3),
        /** {@code SDM_EARGS}: the arguments are not of the export's declared types. */
        BAD_ARGUMENTS(-4),
        /** {@code SDM_ENOTRUNNING}: the program's JavaScript is not running, or has not called {@code sdm.export}. */
        NOT_RUNNING(-5),
        /** {@code SDM_EFAILED}: the export threw, or returned a value that is not of its declared type. */
        FAILED(-6);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        /** The (negative) code of {@code sdm.h}. */
        public int code() {
            return code;
        }
    }

    private final Reason reason;

    public ExportException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
