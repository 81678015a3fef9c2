package sdm.slave.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import sdm.archive.NativeType;

/** How the manifest's native types cross the FFM boundary: their layouts, and results read back. */
final class NativeValues {

    /** The longest string a native function may return, NUL included. */
    static final int MAX_STRING = 64 << 10;

    private NativeValues() {
    }

    static MemoryLayout layout(NativeType t) {
        return switch (t) {
            case INT -> ValueLayout.JAVA_INT;
            case LONG -> ValueLayout.JAVA_LONG;
            case DOUBLE -> ValueLayout.JAVA_DOUBLE;
            case BOOL -> ValueLayout.JAVA_BOOLEAN;
            case STRING -> ValueLayout.ADDRESS;
            case VOID -> throw new IllegalArgumentException("void is not a parameter type");
        };
    }

    /**
     * A function's result as a call's result: a returned string is copied out, and refused if it
     * has no NUL within {@link #MAX_STRING} bytes.
     */
    static Object result(NativeType type, Object out) {
        if (type == NativeType.VOID) {
            return null;
        }
        if (type == NativeType.STRING) {
            MemorySegment p = (MemorySegment) out;
            if (p.equals(MemorySegment.NULL)) {
                return null;
            }
            MemorySegment bounded = p.reinterpret(MAX_STRING);
            for (long i = 0; i < MAX_STRING; i++) {
                if (bounded.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    return bounded.getString(0);
                }
            }
            throw new IllegalStateException("the returned string is over " + MAX_STRING + " bytes");
        }
        return out;
    }
}
