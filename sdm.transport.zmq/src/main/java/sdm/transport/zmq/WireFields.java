package sdm.transport.zmq;

import java.util.List;
import java.util.Map;

import sdm.api.ProgramState;

/** The checks of {@link Message}'s fields: a failure makes the frame malformed. */
final class WireFields {

    private WireFields() {
    }

    /** A program name, {@code [a-z][a-z0-9-]{0,62}}: checked by hand, as every call and result has one. */
    static void checkName(String name) {
        checkText("name", name, 63);
        if (!(name.charAt(0) >= 'a' && name.charAt(0) <= 'z')) {
            throw new IllegalArgumentException("bad program name");
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                throw new IllegalArgumentException("bad program name");
            }
        }
    }

    static void checkSha(String sha) {
        boolean hex = sha != null && sha.length() == 64;
        for (int i = 0; hex && i < 64; i++) {
            char c = sha.charAt(i);
            hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
        }
        if (!hex) {
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

    /** At most {@code max} counters, each named in at most 128 characters, none negative; copied. */
    static Map<String, Long> checkCounters(Map<String, Long> counters, int max) {
        Map<String, Long> copy = Map.copyOf(counters);
        if (copy.size() > max) {
            throw new IllegalArgumentException("over " + max + " counters");
        }
        copy.forEach((k, v) -> {
            checkText("counter", k, 128);
            if (v == null || v < 0) {
                throw new IllegalArgumentException("counter " + k + " is negative");
            }
        });
        return copy;
    }

    /** A node's labels within {@link Labels}' bounds (none if null); copied. */
    static Map<String, String> checkLabels(Map<String, String> labels) {
        Map<String, String> copy = labels == null ? Map.of() : Map.copyOf(labels);
        String problem = Labels.problem(copy);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return copy;
    }

    /** At most 15 masters' addresses, of at most 300 characters each; copied. */
    static List<String> checkMasters(List<String> masters) {
        List<String> copy = List.copyOf(masters == null ? List.of() : masters);
        if (copy.size() > 15) {
            throw new IllegalArgumentException("a welcome names at most 15 masters, not " + copy.size());
        }
        copy.forEach(m -> checkText("masters", m, 300));
        return copy;
    }

    static void checkCounts(int slaves, int slavesOnline) {
        if (slavesOnline < 0 || slavesOnline > slaves) {
            throw new IllegalArgumentException("slave counts " + slavesOnline + " of " + slaves);
        }
    }
}
