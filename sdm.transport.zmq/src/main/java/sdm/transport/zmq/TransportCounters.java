package sdm.transport.zmq;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Named event counters of one endpoint: messages in and out, drops by cause, refusals; and a few gauges. */
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
    /** Connections refused at their accept: too many were open. */
    public static final String CONNECTIONS_REFUSED = "connectionsRefused";
    /** Connections cut: handshake too slow or crowded out, silent, hostile messages, a peer that does not read. */
    public static final String CONNECTIONS_CUT = "connectionsCut";
    /** Fetches refused: the peer had too many chunks on their way already. */
    public static final String FETCHES_REFUSED = "fetchesRefused";
    /** Enrollments of new nodes refused past the rate the master allows. */
    public static final String ENROLLMENTS_THROTTLED = "enrollmentsThrottled";
    /** Registrations put off past the rate the master allows (the slave registers again on its next beat). */
    public static final String REGISTRATIONS_THROTTLED = "registrationsThrottled";
    /** Gauge: connections open now. */
    public static final String CONNECTIONS_OPEN = "connectionsOpen";
    /** Gauge: connections open now that have not delivered a valid message yet. */
    public static final String HANDSHAKES_OPEN = "handshakesOpen";
    /** A slave's: calls run on the link's own thread, and calls handed to the node's pool. */
    public static final String CALLS_INLINE = "callsInline";
    public static final String CALLS_POOLED = "callsPooled";
    /** A slave's: times a call ran so long on the link's thread that the other link thread took over. */
    public static final String LINK_TAKEOVERS = "linkTakeovers";

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

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

    /** A value read when asked for, shown among the counters. */
    void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    public long get(String name) {
        LongSupplier g = gauges.get(name);
        if (g != null) {
            return g.getAsLong();
        }
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
        out.put(ENROLLED, 0L);
        out.put(ENROLLMENTS_REFUSED, 0L);
        out.put(IMPERSONATIONS_REFUSED, 0L);
        for (String n : new String[] {FRAMES_REFUSED, CONNECTIONS_REFUSED, CONNECTIONS_CUT, FETCHES_REFUSED,
                ENROLLMENTS_THROTTLED, REGISTRATIONS_THROTTLED}) {
            out.put(n, 0L);
        }
        for (InvalidMessageException.Cause c : InvalidMessageException.Cause.values()) {
            out.put(droppedName(c), 0L);
        }
        counters.forEach((k, v) -> out.put(k, v.sum()));
        gauges.forEach((k, v) -> out.put(k, v.getAsLong()));
        return out;
    }
}
