package sdm.slave.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What each program's C code asked of its JavaScript, counted per program and reported to the
 * master as {@code js.PROGRAM.NAME}. A program has counters from its first call or post on.
 * Thread-safe.
 */
final class JsCounters {

    /** What is counted, by its reported name. */
    enum Kind {
        /** Posts accepted into the queue. */
        POSTS_QUEUED("postsQueued"),
        /** Posts pushed out of a full queue. */
        POSTS_DROPPED("postsDropped"),
        /** Posts that passed their time to live before the master acknowledged them. */
        POSTS_EXPIRED("postsExpired"),
        /** Posts the master acknowledged. */
        POSTS_SENT("postsSent"),
        /** Calls sent to the master. */
        CALLS_MADE("callsMade"),
        /** Calls and posts the slave refused itself (bad arguments, not exported, not connected, ...). */
        CALLS_REFUSED("callsRefused");

        final String counterName;

        Kind(String counterName) {
            this.counterName = counterName;
        }
    }

    private static final Kind[] KINDS = Kind.values();

    private final Map<String, AtomicLongArray> byProgram = new ConcurrentHashMap<>();

    void add(String program, Kind kind, long n) {
        byProgram.computeIfAbsent(program, p -> new AtomicLongArray(KINDS.length)).addAndGet(kind.ordinal(), n);
    }

    long get(String program, Kind kind) {
        AtomicLongArray a = byProgram.get(program);
        return a == null ? 0 : a.get(kind.ordinal());
    }

    /**
     * The counters as {@code js.PROGRAM.NAME}, programs in the order of their names, whole
     * programs only and at most {@code max} entries: the rest are left out.
     */
    Map<String, Long> snapshot(int max) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, AtomicLongArray> e : new TreeMap<>(byProgram).entrySet()) {
            if (out.size() + KINDS.length > max) {
                break;
            }
            for (Kind k : KINDS) {
                out.put("js." + e.getKey() + "." + k.counterName, e.getValue().get(k.ordinal()));
            }
        }
        return out;
    }
}
