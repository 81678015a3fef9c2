package sdm.transport.zmq;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named event counters of one endpoint: messages in and out, drops by cause, refusals. */
public final class TransportCounters {

    public static final String MESSAGES_IN = "messagesIn";
    public static final String MESSAGES_OUT = "messagesOut";
    public static final String HANDSHAKES_REFUSED = "handshakesRefused";
    public static final String UNROUTABLE = "unroutable";
    /** Slaves' own keys enrolled with the join token. */
    public static final String ENROLLED = "enrolled";
    /** Enrollments refused: a revoked key or id, or an id enrolled with another key. */
    public static final String ENROLLMENTS_REFUSED = "enrollmentsRefused";
    /** Messages of an enrolled key that claimed another node's id, or of a revoked node. */
    public static final String IMPERSONATIONS_REFUSED = "impersonationsRefused";
    /** Frames whose size was impossible (negative, or over the limit): their connection failed. */
    public static final String FRAMES_REFUSED = "framesRefused";
    /** Valid messages that arrived after their expiry and were dropped unexecuted. */
    public static final String DROPPED_EXPIRED = "droppedExpired";

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    public void increment(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    public void dropped(InvalidMessageException.Cause cause) {
        increment(droppedName(cause));
    }

    public static String droppedName(InvalidMessageException.Cause cause) {
        return switch (cause) {
            case OVERSIZED -> "droppedOversized";
            case MALFORMED -> "droppedMalformed";
            case UNKNOWN_TYPE -> "droppedUnknownType";
            case UNEXPECTED -> "droppedUnexpected";
        };
    }

    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** A sorted snapshot, every cause of drop present even at zero. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        out.put(MESSAGES_IN, 0L);
        out.put(MESSAGES_OUT, 0L);
        out.put(HANDSHAKES_REFUSED, 0L);
        out.put(DROPPED_EXPIRED, 0L);
        out.put(FRAMES_REFUSED, 0L);
        out.put(ENROLLED, 0L);
        out.put(ENROLLMENTS_REFUSED, 0L);
        out.put(IMPERSONATIONS_REFUSED, 0L);
        for (InvalidMessageException.Cause c : InvalidMessageException.Cause.values()) {
            out.put(droppedName(c), 0L);
        }
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
