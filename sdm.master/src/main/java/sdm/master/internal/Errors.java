package sdm.master.internal;

/** How the master words an exception for the operator. */
final class Errors {

    private Errors() {
    }

    /** The first line of an exception's message, at most 500 characters. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }
}
