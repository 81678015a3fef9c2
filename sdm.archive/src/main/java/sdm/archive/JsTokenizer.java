package sdm.archive;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Splits JavaScript source into the tokens {@link ModuleImports} needs: words, string and
 * template literals (their values decoded), regular expressions, numbers and punctuators, with
 * comments and white space dropped. It is not a parser: it knows just enough to never mistake
 * the inside of a comment, a string, a template or a regular expression for code, and to say
 * when a word is a property name ({@code obj.import}, {@code obj?.import}).
 *
 * <p>A {@code /} is taken for a regular expression when the token before it cannot end an
 * expression: after {@code )} it is division (so {@code if (x) /re/} is misread), after
 * <code>&#125;</code> a regular expression (so {@code function () {} / 2} is misread). A misread regular
 * expression or string never runs past the end of its line: neither can hold a line break, so
 * on reaching one the tokenizer goes back and reads it as code.
 */
final class JsTokenizer {

    enum Kind {
        WORD, STRING, TEMPLATE, TEMPLATE_OPEN, TEMPLATE_CLOSE, NUMBER, REGEX, PUNCTUATOR, PRIVATE_NAME, END
    }

    /**
     * @param text      a word or punctuator as written; the decoded value of a string or of a
     *                  template without substitutions; otherwise the source text
     * @param line      1-based line where the token starts
     * @param afterDot  the token follows {@code .} or {@code ?.}: a property name, not a keyword
     */
    record Token(Kind kind, String text, int line, boolean afterDot) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        boolean isWord(String word) {
            return is(Kind.WORD, word);
        }

        boolean isPunctuator(String p) {
            return is(Kind.PUNCTUATOR, p);
        }
    }

    /** Words after which a {@code /} starts an expression, so a regular expression. */
    private static final Set<String> BEFORE_EXPRESSION = Set.of("return", "typeof", "instanceof", "in", "of", "new",
            "delete", "void", "throw", "case", "do", "else", "yield", "await");

    /** Punctuators that end an expression, so a {@code /} after them divides. */
    private static final Set<String> AFTER_EXPRESSION = Set.of(")", "]", "++", "--");

    private final String src;
    private int pos;
    private int line = 1;
    private Token last;
    /** One count of open braces per template substitution we are inside, innermost on top. */
    private final Deque<int[]> substitutions = new ArrayDeque<>();

    JsTokenizer(String source) {
        this.src = source;
        if (src.startsWith("#!")) {
            skipLine();
        }
    }

    Token next() {
        skipSpaceAndComments();
        if (pos >= src.length()) {
            return new Token(Kind.END, "", line, false);
        }
        boolean afterDot = last != null && (last.isPunctuator(".") || last.isPunctuator("?."));
        int startLine = line;
        Token t = read(startLine, afterDot);
        last = t;
        return t;
    }

    private Token read(int startLine, boolean afterDot) {
        char c = src.charAt(pos);
        if (c == '"' || c == '\'') {
            return new Token(Kind.STRING, string(c), startLine, afterDot);
        }
        if (c == '`') {
            pos++;
            return template(startLine, afterDot, true);
        }
        if (c == '}' && !substitutions.isEmpty() && substitutions.peek()[0] == 0) {
            substitutions.pop();
            pos++;
            return template(startLine, afterDot, false);
        }
        if (isDigit(c) || (c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1)))) {
            return new Token(Kind.NUMBER, number(), startLine, afterDot);
        }
        if (c == '#' && pos + 1 < src.length() && isWordStart(src.codePointAt(pos + 1))) {
            pos++;
            return new Token(Kind.PRIVATE_NAME, word(), startLine, afterDot);
        }
        if (isWordStart(src.codePointAt(pos)) || c == '\\') {
            return new Token(Kind.WORD, word(), startLine, afterDot);
        }
        if (c == '/' && regexAllowed()) {
            String regex = regex();
            if (regex != null) {
                return new Token(Kind.REGEX, regex, startLine, afterDot);
            }
        }
        return new Token(Kind.PUNCTUATOR, punctuator(), startLine, afterDot);
    }

    private boolean regexAllowed() {
        if (last == null) {
            return true;
        }
        return switch (last.kind()) {
            case WORD -> !last.afterDot() && BEFORE_EXPRESSION.contains(last.text());
            case TEMPLATE_OPEN -> true;
            case PUNCTUATOR -> !AFTER_EXPRESSION.contains(last.text());
            default -> false;
        };
    }

    private String punctuator() {
        int start = pos;
        char c = src.charAt(pos);
        if (src.startsWith("...", pos)) {
            pos += 3;
        } else if (src.startsWith("?.", pos) && !(pos + 2 < src.length() && isDigit(src.charAt(pos + 2)))) {
            pos += 2;
        } else if (src.startsWith("++", pos) || src.startsWith("--", pos)) {
            pos += 2;
        } else {
            pos++;
            if (!substitutions.isEmpty() && (c == '{' || c == '}')) {
                substitutions.peek()[0] += c == '{' ? 1 : -1;
            }
        }
        return src.substring(start, pos);
    }

    private void skipSpaceAndComments() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (isLineBreak(c)) {
                newLine();
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF') {
                pos++;
            } else if (src.startsWith("//", pos)) {
                skipLine();
            } else if (src.startsWith("/*", pos)) {
                int end = src.indexOf("*/", pos + 2);
                int stop = end < 0 ? src.length() : end + 2;
                while (pos < stop) {
                    if (isLineBreak(src.charAt(pos))) {
                        newLine();
                    } else {
                        pos++;
                    }
                }
            } else {
                return;
            }
        }
    }

    private void skipLine() {
        while (pos < src.length() && !isLineBreak(src.charAt(pos))) {
            pos++;
        }
    }

    /** Consumes a line break at {@code pos} ({@code \r\n} as one) and counts it. */
    private void newLine() {
        if (src.charAt(pos) == '\r' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
            pos++;
        }
        pos++;
        line++;
    }

    /** A quoted string, decoded; an unterminated one ends before its line break. */
    private String string(char quote) {
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            } else if (c == '\\') {
                escape(value);
            } else if (c == '\n' || c == '\r') {
                break;
            } else {
                if (isLineBreak(c)) {
                    line++; // U+2028 and U+2029 may stand in a string
                }
                value.append(c);
                pos++;
            }
        }
        return value.toString();
    }

    /**
     * A template from just after its opening {@code `} or the <code>&#125;</code> closing a substitution,
     * to its closing {@code `} or the next <code>${</code>.
     */
    private Token template(int startLine, boolean afterDot, boolean head) {
        StringBuilder value = new StringBuilder();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '`') {
                pos++;
                return new Token(head ? Kind.TEMPLATE : Kind.TEMPLATE_CLOSE, value.toString(), startLine, afterDot);
            } else if (c == '\\') {
                escape(value);
            } else if (c == '$' && pos + 1 < src.length() && src.charAt(pos + 1) == '{') {
                pos += 2;
                substitutions.push(new int[1]);
                return new Token(Kind.TEMPLATE_OPEN, value.toString(), startLine, afterDot);
            } else if (isLineBreak(c)) {
                newLine();
                value.append('\n');
            } else {
                value.append(c);
                pos++;
            }
        }
        return new Token(head ? Kind.TEMPLATE : Kind.TEMPLATE_CLOSE, value.toString(), startLine, afterDot);
    }

    /** Decodes the escape at {@code pos} (a backslash) into {@code value}; a line continuation adds nothing. */
    private void escape(StringBuilder value) {
        pos++;
        if (pos >= src.length()) {
            return;
        }
        char c = src.charAt(pos);
        if (isLineBreak(c)) {
            newLine();
            return;
        }
        pos++;
        switch (c) {
            case 'n' -> value.append('\n');
            case 't' -> value.append('\t');
            case 'r' -> value.append('\r');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'v' -> value.append('\u000B');
            case '0' -> value.append('\0');
            case 'x' -> value.appendCodePoint(hex(2));
            case 'u' -> value.appendCodePoint(unicodeEscape());
            default -> value.append(c);
        }
    }

    /** After {@code \\u}: four hex digits or {@code {hex}}; U+FFFD when malformed. */
    private int unicodeEscape() {
        if (pos < src.length() && src.charAt(pos) == '{') {
            int close = src.indexOf('}', pos);
            int cp = close > pos + 1 && close - pos <= 7 ? hexValue(pos + 1, close) : -1;
            if (Character.isValidCodePoint(cp)) {
                pos = close + 1;
                return cp;
            }
            return 0xFFFD;
        }
        return hex(4);
    }

    /** {@code digits} hex digits at {@code pos}, consumed; U+FFFD, nothing consumed, when malformed. */
    private int hex(int digits) {
        int cp = pos + digits <= src.length() ? hexValue(pos, pos + digits) : -1;
        if (cp < 0) {
            return 0xFFFD;
        }
        pos += digits;
        return cp;
    }

    /** The value of the hex digits from {@code from} to {@code to}, or -1 if one is not a hex digit. */
    private int hexValue(int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(src.charAt(i), 16);
            if (digit < 0 || src.charAt(i) > 'f') {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /** A regular expression from {@code pos} (a slash), or null, {@code pos} unchanged, if its line ends first. */
    private String regex() {
        int start = pos;
        boolean inClass = false;
        for (int i = pos + 1; i < src.length(); i++) {
            char c = src.charAt(i);
            if (isLineBreak(c)) {
                return null;
            } else if (c == '\\') {
                if (i + 1 < src.length() && isLineBreak(src.charAt(i + 1))) {
                    return null;
                }
                i++;
            } else if (c == '[') {
                inClass = true;
            } else if (c == ']') {
                inClass = false;
            } else if (c == '/' && !inClass) {
                pos = i + 1;
                while (pos < src.length() && Character.isJavaIdentifierPart(src.charAt(pos))) {
                    pos++; // flags
                }
                return src.substring(start, pos);
            }
        }
        return null;
    }

    /** Digits, letters, {@code _} and dots, and a sign after an exponent: loose, but never code. */
    private String number() {
        int start = pos;
        boolean hex = src.startsWith("0x", pos) || src.startsWith("0X", pos);
        while (pos < src.length()) {
            char c = src.charAt(pos);
            boolean sign = (c == '+' || c == '-') && !hex && (src.charAt(pos - 1) | 0x20) == 'e';
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || sign)) {
                break;
            }
            pos++;
        }
        return src.substring(start, pos);
    }

    /** A word as written, escapes included: an escaped keyword is not the keyword. */
    private String word() {
        int start = pos;
        while (pos < src.length()) {
            int cp = src.codePointAt(pos);
            if (cp == '\\') {
                pos++;
                if (pos < src.length() && src.charAt(pos) == 'u') {
                    pos++;
                    unicodeEscape();
                }
            } else if (Character.isJavaIdentifierPart(cp)) {
                pos += Character.charCount(cp);
            } else {
                break;
            }
        }
        return src.substring(start, pos);
    }

    private static boolean isWordStart(int cp) {
        return Character.isJavaIdentifierStart(cp);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
    }
}
