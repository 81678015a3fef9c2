package sdm.archive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

import sdm.archive.JsTokenizer.Kind;
import sdm.archive.JsTokenizer.Token;

/**
 * The imports of an ES module (docs/contract.md §2: a {@code main} ending in {@code .mjs} may import other
 * files under {@code js/} by relative path, and nothing outside {@code js/}): which ones its
 * source names ({@link #scan}), and the one rule that turns an import into a file of the
 * archive ({@link #resolve}), the same for the archive check and for the runtime.
 *
 * <p>{@link #scan} finds {@code import ... from '...'}, {@code import '...'},
 * {@code export ... from '...'} and {@code import('...')} with one string literal (or a
 * template without substitutions); it skips comments, strings, templates, regular expressions,
 * property names ({@code obj.import(...)}, {@code obj?.import}) and {@code import.meta}.
 * What it cannot see, so what the runtime must still refuse by the same rule:
 * <ul>
 * <li>{@code import(x)} with anything but a single literal: a variable, a concatenation, a
 *     template with <code>${</code>; and code made at run time ({@code eval}, {@code Function}).</li>
 * <li>What the files reached only that way import.</li>
 * <li>A regular expression right after {@code )} ({@code if (ok) /'/.test(s)}) is read as a
 *     division, and a division right after <code>&#125;</code> as a regular expression; the misread
 *     stops at the end of the line, unless it opens a template ({@code `}), which may run on.</li>
 * </ul>
 * It does not check syntax: invalid code gives a best-effort list.
 */
public final class ModuleImports {

    /**
     * One import as written in a module.
     *
     * @param specifier the string as JavaScript reads it, escapes decoded
     * @param line      1-based line of the specifier
     * @param dynamic   {@code import('...')} rather than a static import or re-export
     */
    public record Import(String specifier, int line, boolean dynamic) {
    }

    /** A URL scheme, {@code node:} included. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);
    private static final String ROOT = "js/";
    private static final String ONLY = "only ./ and ../ paths to files under js/ can be imported";

    private final JsTokenizer tokens;
    private final Deque<Token> unread = new ArrayDeque<>(1);
    private final List<Import> found = new ArrayList<>();

    private ModuleImports(String source) {
        this.tokens = new JsTokenizer(source);
    }

    /**
     * The imports of a module, in source order; the same specifier as often as it is written.
     * Never throws: source that is not valid JavaScript gives what could be recognised.
     */
    public static List<Import> scan(String source) {
        ModuleImports scanner = new ModuleImports(source);
        for (Token t = scanner.next(); t.kind() != Kind.END; t = scanner.next()) {
            if (t.isWord("import") && !t.afterDot()) {
                scanner.afterImport();
            } else if (t.isWord("export") && !t.afterDot()) {
                scanner.afterExport();
            }
        }
        return List.copyOf(scanner.found);
    }

    /**
     * Resolves {@code specifier}, imported by the file at {@code importer}, to a path in the
     * archive. It must start with {@code ./} or {@code ../}, and every step of it must stay
     * under {@code js/} ({@code ../js/a.mjs} from {@code js/main.mjs} is refused although it
     * comes back): no absolute path, URL ({@code https:}, {@code file:}, {@code node:fs}) or
     * bare name ({@code fs}). The result is a plain archive path: no empty, {@code .} or
     * {@code ..} segments, no {@code \}, {@code %}, {@code ?}, {@code #}, {@code :} or characters
     * of OSGi header syntax ({@code ; , = "}), nothing outside printable ASCII. Whether the file exists is the caller's question.
     *
     * @param importer an archive path under {@code js/}, as {@code js/lib/a.mjs}
     * @return the archive path imported, as {@code js/b.mjs} for {@code ../b.mjs}
     * @throws ArchiveException one line: "IMPORTER imports 'SPECIFIER', which is ..."
     * @throws IllegalArgumentException if {@code importer} is not a plain path under {@code js/}
     */
    public static String resolve(String importer, String specifier) throws ArchiveException {
        if (!importer.startsWith(ROOT) || !JamManifest.safePath(importer)) {
            throw new IllegalArgumentException("not a file under js/: " + importer);
        }
        if (specifier.startsWith("/")) {
            throw refused(importer, specifier, "an absolute path; " + ONLY);
        }
        if (SCHEME.matcher(specifier).matches()) {
            throw refused(importer, specifier, "a URL; " + ONLY);
        }
        if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
            throw refused(importer, specifier, (specifier.equals(".") || specifier.equals("..") ? "a folder; "
                    : "a bare name; ") + ONLY);
        }
        Deque<String> path = new ArrayDeque<>(List.of(importer.split("/")));
        path.removeLast();
        for (String segment : specifier.split("/", -1)) {
            if (segment.equals("..")) {
                path.removeLast();
                if (path.isEmpty()) {
                    throw refused(importer, specifier, "outside js/");
                }
            } else if (!segment.equals(".")) {
                path.addLast(segment);
            }
        }
        String resolved = String.join("/", path);
        // a last '.' or '..' names a folder; empty segments and the rest are refused by safePath
        if (specifier.endsWith("/.") || specifier.endsWith("/..")
                || !JamManifest.safePath(resolved) || resolved.chars().anyMatch(c -> "%?#".indexOf(c) >= 0)) {
            throw refused(importer, specifier, "not a plain path to a file (no '//', '\\', '%', '?', '#', ':', ';', ',', '=' or '\"')");
        }
        return resolved;
    }

    private static ArchiveException refused(String importer, String specifier, String what) {
        return new ArchiveException(importer + " imports " + quote(specifier) + ", which is " + what);
    }

    /** {@code 'specifier'} on one line and at most 200 characters, whatever the source held. */
    static String quote(String specifier) {
        StringBuilder b = new StringBuilder("'");
        specifier.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(specifier.codePointCount(0, specifier.length()) > 200 ? "...'" : "'").toString();
    }

    private Token next() {
        return unread.isEmpty() ? tokens.next() : unread.pop();
    }

    /** After the word {@code import}: a dynamic import, {@code import.meta}, or a declaration. */
    private void afterImport() {
        Token t = next();
        if (t.isPunctuator("(")) {
            Token argument = next();
            if (argument.kind() == Kind.STRING || argument.kind() == Kind.TEMPLATE) {
                Token close = next();
                if (close.isPunctuator(")") || close.isPunctuator(",")) {
                    found.add(new Import(argument.text(), argument.line(), true));
                }
                unread.push(close);
            } else {
                unread.push(argument);
            }
        } else if (t.kind() == Kind.STRING) {
            found.add(new Import(t.text(), t.line(), false));
        } else {
            importClause(t);
        }
    }

    /**
     * The bindings of {@code import ... from '...'}, from their first token: words (a default
     * binding, {@code as}, a phase such as {@code defer}), {@code *}, commas and one
     * {@code { }} list that may hold strings, up to {@code from} and a string. Anything else
     * means this was no import declaration (a property {@code import:}, a class field): that
     * token is left for the caller.
     */
    private void importClause(Token first) {
        int depth = 0;
        for (Token t = first;; t = next()) {
            if (t.kind() == Kind.WORD && depth == 0 && t.text().equals("from")) {
                Token after = next();
                if (after.kind() == Kind.STRING) {
                    found.add(new Import(after.text(), after.line(), false));
                    return;
                }
                unread.push(after); // import from from '...': the first was a binding
            } else if (t.isPunctuator("{") && depth == 0) {
                depth = 1;
            } else if (t.isPunctuator("}") && depth == 1) {
                depth = 0;
            } else if (!(t.kind() == Kind.WORD || t.isPunctuator("*") || t.isPunctuator(",")
                    || (t.kind() == Kind.STRING && depth == 1))) {
                unread.push(t);
                return;
            }
        }
    }

    /** After the word {@code export}: a re-export ({@code * from}, {@code * as x from}, {@code {...} from}) or none. */
    private void afterExport() {
        Token t = next();
        if (t.isPunctuator("*")) {
            t = next();
            if (t.isWord("as")) {
                next(); // the namespace's name, a word or a string
                t = next();
            }
        } else if (t.isPunctuator("{")) {
            for (t = next(); t.kind() == Kind.WORD || t.kind() == Kind.STRING || t.isPunctuator(","); t = next()) {
                // names and 'as'
            }
            if (!t.isPunctuator("}")) {
                unread.push(t);
                return;
            }
            t = next();
        }
        if (!t.isWord("from")) {
            unread.push(t);
            return;
        }
        Token specifier = next();
        if (specifier.kind() == Kind.STRING) {
            found.add(new Import(specifier.text(), specifier.line(), false));
        } else {
            unread.push(specifier);
        }
    }
}
