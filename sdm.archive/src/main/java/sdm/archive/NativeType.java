package sdm.archive;

import java.util.Locale;

/** The types a native function may take and return (docs/contract.md §2). */
public enum NativeType {
    /** 32-bit signed integer. */
    INT,
    /** 64-bit signed integer. */
    LONG,
    DOUBLE,
    BOOL,
    /** UTF-8, NUL-terminated; a returned {@code char*} is copied, not freed. */
    STRING,
    /** Returns only. */
    VOID;

    /** The type named as in a manifest ({@code "int"}...), or null if there is none. */
    public static NativeType named(String name) {
        for (NativeType t : values()) {
            if (t.manifestName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Decimal text only: no hexadecimal, no "NaN" or "Infinity", no type suffix. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile(
            "[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    public String manifestName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * An argument as this type's Java value ({@code Integer}, {@code Long}, {@code Double},
     * {@code Boolean}, {@code String}): a number, boolean or string that already is one, or text
     * (from a command line) that parses as one. Nothing is rounded or truncated.
     *
     * @throws IllegalArgumentException naming what the value is not
     */
    public Object argument(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("null is not a" + (this == INT ? "n " : " ") + manifestName());
        }
        try {
            return switch (this) {
                case INT -> value instanceof String s ? Integer.valueOf(s.strip())
                        : Math.toIntExact(integral(value));
                case LONG -> value instanceof String s ? Long.valueOf(s.strip()) : integral(value);
                case DOUBLE -> value instanceof String s && DECIMAL.matcher(s.strip()).matches() ? Double.valueOf(s.strip())
                        : value instanceof Double || value instanceof Float ? ((Number) value).doubleValue()
                        : value instanceof Integer || value instanceof Short || value instanceof Byte
                                ? ((Number) value).doubleValue()
                        : value instanceof Long l && (long) (double) l == l ? (double) l
                        : fail(value);
                case BOOL -> value instanceof Boolean b ? b
                        : value instanceof String s && (s.equals("true") || s.equals("false")) ? Boolean.valueOf(s)
                        : fail(value);
                case STRING -> value instanceof String s && s.indexOf('\0') < 0 ? s : fail(value);
                case VOID -> fail(value);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            return fail(value);
        }
    }

    private long integral(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 0x1p63) {
            return d.longValue();
        }
        if (value instanceof java.math.BigInteger b) {
            return b.longValueExact();
        }
        return fail(value);
    }

    private <T> T fail(Object value) {
        String text = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
        String shown = value instanceof String ? "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'"
                : text;
        throw new IllegalArgumentException(shown + " is not a" + (this == INT ? "n " : " ") + manifestName());
    }
}
