package sdm.master.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an admin client may run: one command of the {@code sdm} scope (or of a scope that
 * {@value #SCOPES_PROPERTY} adds), or {@code help} alone or with one such command's name. The
 * master's own console is not filtered. A request is a list of words; {@link #commandLine}
 * writes the command name as it is and every argument in single quotes, so that no argument
 * can become a second command, a pipe, a closure, a variable or a redirection.
 */
final class RemoteCommands {

    /** Framework (or system) property: comma-separated extra scopes, none by default. */
    static final String SCOPES_PROPERTY = "sdm.admin.remote.scopes";

    private static final String SDM = "sdm";
    private static final String HELP = "help";
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SCOPED = Pattern.compile("([A-Za-z0-9_.-]+):[A-Za-z0-9_.-]+");

    /** Lower case, {@code sdm} first. */
    private final Set<String> scopes;
    /** Entries of the property that are not scope names, for the log. */
    private final List<String> rejected;

    private RemoteCommands(Set<String> scopes, List<String> rejected) {
        this.scopes = scopes;
        this.rejected = rejected;
    }

    /** The scopes that {@code property} (the value of {@value #SCOPES_PROPERTY}, or null) adds to {@code sdm}. */
    static RemoteCommands of(String property) {
        Set<String> scopes = new LinkedHashSet<>(List.of(SDM));
        List<String> rejected = new ArrayList<>();
        if (property != null) {
            for (String s : property.split(",")) {
                String scope = s.strip();
                if (scope.isEmpty()) {
                    continue;
                }
                if (SCOPE.matcher(scope).matches()) {
                    scopes.add(scope.toLowerCase(Locale.ROOT));
                } else {
                    rejected.add(scope);
                }
            }
        }
        return new RemoteCommands(Set.copyOf(scopes), List.copyOf(rejected));
    }

    /** The scopes beyond {@code sdm}, sorted. */
    List<String> extraScopes() {
        return scopes.stream().filter(s -> !s.equals(SDM)).sorted().toList();
    }

    /** Entries of the property that are not scope names: they allow nothing. */
    List<String> rejected() {
        return rejected;
    }

    /** Empty if the request may run; otherwise the one line that refuses it. */
    Optional<String> refusal(List<String> words) {
        if (words.isEmpty()) {
            return Optional.of("no command given");
        }
        String name = words.get(0);
        if (name.equalsIgnoreCase(HELP)) {
            if (words.size() == 1) {
                return Optional.empty();
            }
            Matcher m = SCOPED.matcher(words.get(1));
            if (words.size() > 2 || !m.matches()) {
                return Optional.of(only() + "; help takes one command name, such as help sdm:nodes");
            }
            return allowed(m.group(1)) ? Optional.empty()
                    : Optional.of(only() + "; help " + words.get(1) + " runs on the master's own console");
        }
        Matcher m = SCOPED.matcher(name);
        if (m.matches()) {
            return allowed(m.group(1)) ? Optional.empty()
                    : Optional.of(only() + "; " + name + " runs on the master's own console");
        }
        if (SCOPE.matcher(name).matches()) {
            return Optional.of(only() + "; " + name + " runs on the master's own console");
        }
        return Optional.of(only() + "; \"" + printable(name) + "\" is not a command name");
    }

    private boolean allowed(String scope) {
        return scopes.contains(scope.toLowerCase(Locale.ROOT));
    }

    private String only() {
        StringBuilder s = new StringBuilder("only sdm:*");
        for (String extra : extraScopes()) {
            s.append(", ").append(extra).append(":*");
        }
        return s.append(" commands and help run remotely").toString();
    }

    /** A refused name as one short line: control characters shown as '?', at most 60 characters. */
    private static String printable(String name) {
        String shown = name.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return shown.length() <= 60 ? shown : shown.substring(0, 57) + "...";
    }

    /**
     * The Gogo command line of a request that {@link #refusal} let through: the command name as it
     * is (it is a plain name), each argument in single quotes, a quote in it written
     * {@code '\''} (close, escaped quote, open). Gogo expands nothing in single quotes: no
     * variables, escapes, globs, braces, tildes, pipes, separators, closures or redirections, and
     * a number stays a string (a node id such as {@code 694557e7} would otherwise come back as
     * {@code 6.94557E12}). Double quotes would not do: Gogo pairs single quotes even inside them.
     */
    static String commandLine(List<String> words) {
        StringBuilder line = new StringBuilder(words.get(0));
        for (String w : words.subList(1, words.size())) {
            line.append(" '").append(w.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }
}
