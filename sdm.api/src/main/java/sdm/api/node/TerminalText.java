package sdm.api.node;

/**
 * Text from peers and programs (node names, labels, log lines) made safe to print on an
 * operator's terminal: control characters, which could move the cursor, retitle the window or
 * hide what follows, and the Unicode controls that reorder text, are written as {@code \\uXXXX}.
 */
public final class TerminalText {

    private TerminalText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c;
    }
}
