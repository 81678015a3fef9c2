package sdm.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one launcher command: {@code --name value}, {@code --name=value} and bare
 * flags. Unknown options are a {@link UsageException}. With {@code stopAtWord}, the first word
 * that is not an option ends the options and the rest is kept verbatim (for {@code client}).
 */
final class Options {

    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> rest = new ArrayList<>();

    private Options() {
    }

    static Options parse(String command, String[] args, int from, Set<String> flags, Set<String> valued,
            boolean stopAtWord) throws UsageException {
        Options o = new Options();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.equals("--")) {
                if (!stopAtWord) {
                    throw new UsageException("sdm " + command + ": unexpected argument '" + a + "'");
                }
                int start = a.equals("--") ? i + 1 : i;
                o.rest.addAll(List.of(args).subList(start, args.length));
                break;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("sdm " + command + ": " + name + " takes no value");
                }
                o.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("sdm " + command + ": " + name + " needs a value");
                    }
                    value = args[++i];
                }
                o.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("sdm " + command + ": unknown option " + name + " (see sdm " + command
                        + " --help)");
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        List<String> v = values.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    List<String> rest() {
        return rest;
    }

    /** Checks a {@code HOST:PORT} value and returns it. */
    static String hostPort(String command, String option, String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        if (colon > 0) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new UsageException("sdm " + command + ": " + option + " wants HOST:PORT, got '" + value + "'");
    }
}
