package sdm.transport.zmq;

import java.util.List;

import sdm.api.ProgramState;

/** The checks of {@link Message}'s fields: a failure makes the frame malformed. */
final class WireFields {

    /** Compiled once: every call and result is checked on the hot path. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private WireFields() {
    }

    static void checkName(String name) {
        checkText("name", name, 63);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad program name");
        }
    }

    static void checkSha(String sha) {
        if (sha == null || !SHA256.matcher(sha).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
        }
    }

    static void checkState(ProgramState state) {
        if (state == null || state == ProgramState.REMOVED) {
            throw new IllegalArgumentException("state is missing or not one of the wire's");
        }
    }

    /** A text field from the wire: present, not blank, bounded. A failure makes the frame malformed. */
    static void checkText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is over " + maxLength + " characters");
        }
    }
    static List<Object> checkArgs(List<Object> args) {
        List<Object> out = args == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
        if (out.size() > 64) {
            throw new IllegalArgumentException("over 64 arguments");
        }
        for (Object a : out) {
            if (!(a == null || a instanceof Number || a instanceof Boolean || a instanceof String)) {
                throw new IllegalArgumentException("an argument is neither a number, a boolean nor a string");
            }
        }
        return out;
    }

    static void checkValue(Object value) {
        if (!(value == null || value instanceof Number || value instanceof Boolean || value instanceof String)) {
            throw new IllegalArgumentException("a result is a number, a boolean, a string or null");
        }
    }

    static String checkError(String error) {
        String out = error == null ? "" : error;
        if (out.length() > Message.ProgramStatus.MAX_ERROR) {
            throw new IllegalArgumentException("error is over " + Message.ProgramStatus.MAX_ERROR + " characters");
        }
        return out;
    }

    static void checkTimeout(long timeoutMs) {
        if (timeoutMs < 1 || timeoutMs > 86_400_000L) {
            throw new IllegalArgumentException("timeoutMs must be between 1 ms and 24 h");
        }
    }
}
