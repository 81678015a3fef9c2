package sdm.transport.zmq;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bounds of a node's labels ({@link Message.Register}): at most {@value #MAX} of them, keys
 * and values alike 1 to 63 letters, digits, {@code _}, {@code .} and {@code -}, the first a letter
 * or a digit, as placement labels are.
 */
public final class Labels {

    public static final int MAX = 16;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private Labels() {
    }

    /**
     * Labels written {@code k=v,k=v} (the value of {@code property}, named in the error).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Map<String, String> parse(String text, String property) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a label is key=value, got '" + pair.strip() + "'");
            }
            labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        String problem = problem(labels);
        if (problem != null) {
            throw new IllegalArgumentException("bad labels (" + property + "): " + problem);
        }
        return labels;
    }

    /** What is wrong with these labels, in one line, or null if nothing is. */
    public static String problem(Map<String, String> labels) {
        if (labels.size() > MAX) {
            return labels.size() + " labels, at most " + MAX;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || !LABEL.matcher(e.getKey()).matches()
                    || !LABEL.matcher(e.getValue()).matches()) {
                return "label '" + clip(e.getKey()) + "=" + clip(e.getValue()) + "': keys and values are 1 to 63 "
                        + "letters, digits, '_', '.' or '-', the first a letter or a digit";
            }
        }
        return null;
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 70 ? s.substring(0, 70) + "..." : s;
    }
}
