package sdm.slave.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import sdm.archive.JamManifest;

/**
 * The {@code sdm_js_api} table (include/sdm.h) that one loaded library of a program is given
 * through its {@code sdm_set_js}: the version and two upcall stubs that hand what C asks to the
 * {@link JsBridge}. Table and stubs live in the global arena: a library thread that calls after
 * its library is gone lands in a stub that still exists and refuses it. The stubs never throw,
 * since an exception in an upcall ends the JVM.
 */
final class JsTable {

    static final String SETTER = "sdm_set_js";
    static final int VERSION = 1;
    /** The longest function name of a manifest: a longer one is no export. */
    private static final int MAX_FUNCTION = 128;
    private static final Logger LOG = Logger.getLogger("sdm.slave");
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    private static final StructLayout LAYOUT = layout();
    private static final FunctionDescriptor CALL_TYPE = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, SIZE_T, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor POST_TYPE = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle CALL;
    private static final MethodHandle POST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CALL = lookup.findVirtual(JsTable.class, "call", MethodType.methodType(int.class, MemorySegment.class,
                    MemorySegment.class, MemorySegment.class, long.class, int.class));
            POST = lookup.findVirtual(JsTable.class, "post", MethodType.methodType(int.class, MemorySegment.class,
                    MemorySegment.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String program;
    private final Map<String, JamManifest.Function> exports = new HashMap<>();
    private final JsBridge bridge;
    private final MethodHandle setter;
    private volatile boolean stopped;

    private JsTable(String program, List<JamManifest.Function> exports, JsBridge bridge, MethodHandle setter) {
        this.program = program;
        exports.forEach(f -> this.exports.put(f.name(), f));
        this.bridge = bridge;
        this.setter = setter;
    }

    /**
     * Gives the library that {@code lookup} finds its table, if it defines {@code sdm_set_js}.
     *
     * @return the table, or null if the library defines no {@code sdm_set_js}
     * @throws IOException with one line if {@code sdm_set_js} fails
     */
    static JsTable install(String program, JamManifest manifest, SymbolLookup lookup, JsBridge bridge)
            throws IOException {
        Optional<MemorySegment> setter = lookup.find(SETTER);
        if (setter.isEmpty()) {
            return null;
        }
        JsTable t = new JsTable(program, manifest.master() == null ? List.of() : manifest.master().exports(), bridge,
                LINKER.downcallHandle(setter.get(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)));
        Arena global = Arena.global();
        MemorySegment table = global.allocate(LAYOUT);
        table.set(ValueLayout.JAVA_INT, offset("version"), VERSION);
        table.set(ValueLayout.ADDRESS, offset("call"), LINKER.upcallStub(CALL.bindTo(t), CALL_TYPE, global));
        table.set(ValueLayout.ADDRESS, offset("post"), LINKER.upcallStub(POST.bindTo(t), POST_TYPE, global));
        try {
            t.hand(table);
        } catch (Throwable e) {
            t.stopped = true;
            throw new IOException(SETTER + "() failed: " + e);
        }
        return t;
    }

    /** {@code {int version; int (*call)(...); int (*post)(...);}}: pointers at 8 and 16 on 64-bit. */
    private static StructLayout layout() {
        long pad = ValueLayout.ADDRESS.byteAlignment() - ValueLayout.JAVA_INT.byteSize();
        MemoryLayout version = ValueLayout.JAVA_INT.withName("version");
        MemoryLayout call = ValueLayout.ADDRESS.withName("call");
        MemoryLayout post = ValueLayout.ADDRESS.withName("post");
        return pad > 0 ? MemoryLayout.structLayout(version, MemoryLayout.paddingLayout(pad), call, post)
                : MemoryLayout.structLayout(version, call, post);
    }

    private static long offset(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** The export named {@code function}, or null. */
    JamManifest.Function export(String function) {
        return exports.get(function);
    }

    boolean stopped() {
        return stopped;
    }

    /** From now on the stubs refuse with {@link SdmCodes#ESTOPPED}, and the callers waiting return. */
    void stop() {
        stopped = true;
        bridge.stopped(this);
    }

    /** Tells the library to stop using the table: {@code sdm_set_js(NULL)}, before it is unloaded. */
    void clear() {
        stopped = true;
        try {
            hand(MemorySegment.NULL);
        } catch (Throwable t) {
            LOG.fine("clearing the JavaScript table of " + program + ": " + t);
        }
    }

    /** A call of the library's hook counts as a function SDM called: a call from inside it is refused. */
    private void hand(MemorySegment table) throws Throwable {
        CallThreads.enterHook();
        try {
            setter.invokeExact(table);
        } finally {
            CallThreads.leaveHook();
        }
    }

    /** {@code int call(const char *function, const char *args_json, char *out, size_t cap, int timeout_ms)}. */
    @SuppressWarnings("unused") // through CALL
    private int call(MemorySegment function, MemorySegment args, MemorySegment out, long cap, int timeoutMs) {
        try {
            long room = out.equals(MemorySegment.NULL) ? 0 : cap;
            CallOutcome o = bridge.call(this, text(function, MAX_FUNCTION), bytes(args, ExportArgs.MAX_BYTES), room,
                    timeoutMs);
            if (room != 0) {
                write(out, room, o.text());
            }
            return o.code();
        } catch (Throwable t) {
            return failed(t);
        }
    }

    /** {@code int post(const char *function, const char *args_json, int ttl_ms)}. */
    @SuppressWarnings("unused") // through POST
    private int post(MemorySegment function, MemorySegment args, int ttlMs) {
        try {
            return bridge.post(this, text(function, MAX_FUNCTION), bytes(args, ExportArgs.MAX_BYTES), ttlMs);
        } catch (Throwable t) {
            return failed(t);
        }
    }

    private int failed(Throwable t) {
        try {
            LOG.warning("a call from the C code of " + program + " failed in the slave: " + t);
        } catch (Throwable ignored) {
            // nothing may leave an upcall
        }
        return SdmCodes.EFAILED;
    }

    private static String text(MemorySegment s, int max) {
        byte[] b = bytes(s, max);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The bytes of the NUL-terminated string at {@code s}, read one by one up to its NUL, never
     * past it; null for NULL. One without its NUL within {@code max} bytes gives {@code max + 1}.
     */
    private static byte[] bytes(MemorySegment s, int max) {
        if (s.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment view = s.reinterpret(max + 1L);
        long n = 0;
        while (n <= max && view.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return view.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@code text} and a NUL into {@code cap} bytes (unsigned) at {@code out}, cut at a character if need be. */
    private static void write(MemorySegment out, long cap, byte[] text) {
        long room = cap < 0 ? Long.MAX_VALUE : cap;
        int n = (int) Math.min(text.length, room - 1);
        while (n > 0 && n < text.length && (text[n] & 0xC0) == 0x80) {
            n--; // not in the middle of a UTF-8 sequence
        }
        MemorySegment dst = out.reinterpret(n + 1L);
        MemorySegment.copy(text, 0, dst, ValueLayout.JAVA_BYTE, 0, n);
        dst.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
    }
}
