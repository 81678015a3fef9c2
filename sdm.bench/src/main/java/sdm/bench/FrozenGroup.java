package sdm.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The agents of one JVM, all frozen at once (SIGSTOP, so that their sockets go silent without
 * closing), and how long the master takes to tell: from the freeze to the first {@code sdm:nodes}
 * showing all of them offline, to the master's own mark of the first and last of them, and per
 * node how far past the liveness timeout its silence was noticed.
 */
final class FrozenGroup {

    private static final long POLL_MS = 50;

    private final Process jvm;
    private final Set<String> names;
    private final long livenessMs;

    /**
     * @param allOfflineSeenMs from the freeze to the first answer showing every one offline
     * @param othersOffline    most agents outside the group seen offline meanwhile (false alarms)
     */
    record Detection(double allOfflineSeenMs, double firstMarkedMs, double lastMarkedMs, double lagMedianMs,
            double lagMaxMs, int othersOffline, double pollMs, double pollMaxMs) {
    }

    FrozenGroup(Process jvm, Set<String> names, long livenessMs) {
        this.jvm = jvm;
        this.names = Set.copyOf(names);
        this.livenessMs = livenessMs;
    }

    /**
     * Freezes the group's JVM, watches {@code sdm:nodes} until all its agents are offline, then
     * kills the JVM (a frozen JVM ignores SIGTERM until it is continued).
     *
     * @param admin a connection to the master, already used once (its handshake done)
     */
    Detection detect(AdminConnection admin) throws Exception {
        long stoppedAt = System.currentTimeMillis();
        ProcessFigures.signal(jvm.pid(), "STOP");
        Watch watch = watch(admin, stoppedAt);
        jvm.destroyForcibly();
        jvm.waitFor();
        List<Double> lags = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (JsonNode n : watch.nodes()) {
            if (names.contains(n.get("name").asText())) {
                long off = n.get("offlineSinceMs").asLong();
                first = Math.min(first, off);
                last = Math.max(last, off);
                lags.add((double) (off - n.get("lastSeenMs").asLong() - livenessMs));
            }
        }
        List<Double> polls = watch.pollMs();
        return new Detection(watch.seenAt() - stoppedAt, first - stoppedAt, last - stoppedAt, Bench.medianOf(lags),
                lags.stream().mapToDouble(Double::doubleValue).max().orElse(0), watch.othersOffline(),
                Bench.medianOf(polls), polls.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /**
     * The first answer showing the whole group offline and when it came, what the others did
     * meanwhile, how long each ask took.
     */
    private record Watch(JsonNode nodes, long seenAt, int othersOffline, List<Double> pollMs) {
    }

    /** Asks {@code sdm:nodes} every {@value #POLL_MS} ms, one ask at a time, until an answer shows all the group offline. */
    private Watch watch(AdminConnection admin, long since) throws Exception {
        int othersOffline = 0;
        List<Double> polls = new ArrayList<>();
        while (true) {
            long asked = System.currentTimeMillis();
            JsonNode nodes = admin.json("sdm:nodes");
            long seenAt = System.currentTimeMillis();
            polls.add((double) (seenAt - asked));
            int[] offline = offline(nodes);
            othersOffline = Math.max(othersOffline, offline[1]);
            if (offline[0] == names.size()) {
                return new Watch(nodes, seenAt, othersOffline, polls);
            }
            if (seenAt - since > 60_000) {
                throw new IOException("after 60 s only " + offline[0] + " of the " + names.size()
                        + " frozen agents are offline");
            }
            Thread.sleep(Math.max(0, asked + POLL_MS - seenAt));
        }
    }

    /** {@code [offline among names, offline among the others]}. */
    private int[] offline(JsonNode nodes) {
        int[] n = new int[2];
        for (JsonNode node : nodes) {
            if (!node.get("online").asBoolean()) {
                n[names.contains(node.get("name").asText()) ? 0 : 1]++;
            }
        }
        return n;
    }
}
