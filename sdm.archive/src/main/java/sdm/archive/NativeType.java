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
}
