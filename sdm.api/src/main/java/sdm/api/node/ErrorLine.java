package sdm.api.node;

/** How a node words an exception in one line: for an operator, a report, or a call's error. */
public final class ErrorLine {

    private ErrorLine() {
    }

    private static final int MAX_CHARS = 500;

    /** The first line of the exception's message (its class name if it has none), cut at 500 characters. */
    public static String of(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) + "..." : line;
    }
}
