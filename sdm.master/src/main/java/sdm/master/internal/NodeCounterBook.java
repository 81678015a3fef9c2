package sdm.master.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import sdm.api.NodeInfo;
import sdm.transport.zmq.TransportCounters;

/**
 * The counters of each node that {@code sdm:master} shows as {@code node.NAME.*}: what the master
 * dropped from it as expired, and what the node reports of itself (only counters a slave has,
 * its own and its programs' {@code js.PROGRAM.*}, so that none can pass for one of the master's).
 */
final class NodeCounterBook {

    private static final Set<String> SLAVE_COUNTERS = Set.of(TransportCounters.DROPPED_EXPIRED, "eventsRaised",
            "eventsSent", "eventsExpired", "eventsOverflowed", "eventsWaiting", TransportCounters.CALLS_INLINE,
            TransportCounters.CALLS_POOLED, TransportCounters.LINK_TAKEOVERS);
    /** What a slave counts of each program's calls and posts from C to JavaScript. */
    private static final Pattern PROGRAM_COUNTER = Pattern.compile(
            "js\\.[a-z][a-z0-9-]{0,62}\\.(postsQueued|postsDropped|postsExpired|postsSent|callsMade|callsRefused)");

    private final Map<String, LongAdder> expiredAtMaster = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> reported = new ConcurrentHashMap<>();

    /** A message from the node expired before the master could act on it. */
    void expired(String nodeId) {
        expiredAtMaster.computeIfAbsent(nodeId, k -> new LongAdder()).increment();
    }

    void reported(String nodeId, Map<String, Long> counters) {
        Map<String, Long> known = new TreeMap<>();
        counters.forEach((k, v) -> {
            if (SLAVE_COUNTERS.contains(k) || PROGRAM_COUNTER.matcher(k).matches()) {
                known.put(k, v);
            }
        });
        reported.put(nodeId, known);
    }

    /** A node forgotten by the registry. */
    void forget(String nodeId) {
        expiredAtMaster.remove(nodeId);
        reported.remove(nodeId);
    }

    /** Adds every node's counters to {@code counters}, and {@code nodesDroppedExpired}, their sum of expired. */
    void addTo(Map<String, Long> counters, List<NodeInfo> nodes) {
        long nodesExpired = 0;
        for (NodeInfo n : nodes) {
            String prefix = "node." + n.name() + ".";
            LongAdder mine = expiredAtMaster.get(n.id());
            counters.put(prefix + "expiredAtMaster", mine == null ? 0 : mine.sum());
            Map<String, Long> theirs = reported.getOrDefault(n.id(), Map.of());
            theirs.forEach((k, v) -> counters.put(prefix + k, v));
            nodesExpired = saturatingAdd(nodesExpired, saturatingAdd(
                    theirs.getOrDefault(TransportCounters.DROPPED_EXPIRED, 0L), theirs.getOrDefault("eventsExpired", 0L)));
        }
        counters.put("nodesDroppedExpired", nodesExpired);
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
