package sdm.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
     */
    Detection detect(Bench.Admin admin) throws Exception {
        long stoppedAt = System.currentTimeMillis();
        ProcessFigures.signal(jvm.pid(), "STOP");
        Watch watch = watch(admin, stoppedAt);
        jvm.destroyForcibly();
        jvm.waitFor();
        List<Double> lags = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (JsonNode n : watch.done().nodes()) {
            if (names.contains(n.get("name").asText())) {
                long off = n.get("offlineSinceMs").asLong();
                first = Math.min(first, off);
                last = Math.max(last, off);
                lags.add((double) (off - n.get("lastSeenMs").asLong() - livenessMs));
            }
        }
        List<Double> polls = watch.pollMs();
        return new Detection(watch.done().seenAt() - stoppedAt, first - stoppedAt, last - stoppedAt,
                Bench.medianOf(lags), lags.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                watch.othersOffline(), Bench.medianOf(polls), polls.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(0));
    }

    /** One answer of {@code sdm:nodes}: when it was asked, when it came, what it said. */
    private record Poll(long askedAt, long seenAt, JsonNode nodes) {
    }

    /** The first answer showing the whole group offline, what the others did meanwhile, how long each ask took. */
    private record Watch(Poll done, int othersOffline, List<Double> pollMs) {
    }

    /**
     * Asks {@code sdm:nodes} every {@value #POLL_MS} ms until an answer shows all the group
     * offline. Each ask is its own connection, started on time even while earlier ones wait:
     * JeroMQ now and then holds a new connection for a second before redialing it (see
     * AdminClient), and one such ask must not blind the watch for that long.
     */
    private Watch watch(Bench.Admin admin, long since) throws Exception {
        BlockingQueue<Poll> answers = new LinkedBlockingQueue<>();
        Poll done = null;
        int othersOffline = 0;
        List<Double> polls = new ArrayList<>();
        try (ExecutorService asks = Executors.newVirtualThreadPerTaskExecutor()) {
            long nextAsk = since;
            while (done == null) {
                long now = System.currentTimeMillis();
                if (now >= nextAsk) {
                    asks.submit(() -> {
                        long asked = System.currentTimeMillis();
                        JsonNode nodes = admin.json("sdm:nodes");
                        return answers.add(new Poll(asked, System.currentTimeMillis(), nodes));
                    });
                    nextAsk = now + POLL_MS;
                }
                for (Poll p = answers.poll(Math.max(1, nextAsk - now), TimeUnit.MILLISECONDS); p != null;
                        p = answers.poll()) {
                    polls.add((double) (p.seenAt() - p.askedAt()));
                    int[] offline = offline(p.nodes());
                    othersOffline = Math.max(othersOffline, offline[1]);
                    if (offline[0] == names.size() && (done == null || p.seenAt() < done.seenAt())) {
                        done = p;
                    }
                }
                if (done == null && now - since > 60_000) {
                    throw new IOException("after 60 s not all the " + names.size() + " frozen agents are offline");
                }
            }
            asks.shutdownNow();
        }
        return new Watch(done, othersOffline, polls);
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
