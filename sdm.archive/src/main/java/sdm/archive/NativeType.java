package sdm.archive;

import java.util.Locale;

/** The types a native function may take and return (SPEC §2). */
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
                case DOUBLE -> value instanceof String s ? Double.valueOf(s.strip())
                        : value instanceof Number n && !(value instanceof java.math.BigInteger) ? n.doubleValue()
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
        String shown = value instanceof String s ? "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'"
                : String.valueOf(value);
        throw new IllegalArgumentException(shown + " is not a" + (this == INT ? "n " : " ") + manifestName());
    }
}
