package sdm.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.transport.zmq.TransportException;

/** The chaos run's invariants, checked after healing, all along, and at the end. */
final class ChaosChecks {

    /** How long every online node has to report the desired state once everything is healed. */
    private static final long CONVERGE_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Chaos.Settings settings;
    private final ChaosReport report;
    private final ChaosMachine machine;
    private final ChaosClient client;
    private int checks; // the nemesis thread's

    ChaosChecks(Chaos.Settings settings, ChaosReport report, ChaosMachine machine, ChaosClient client) {
        this.settings = settings;
        this.report = report;
        this.machine = machine;
        this.client = client;
    }

    int count() {
        return checks;
    }

    /**
     * Heals everything (thaws the frozen, starts dead masters and slaves again), waits for every slave to
     * be online, and checks that the master, every node and every slave's process report the
     * acknowledged desired state within {@link #CONVERGE_MS}.
     */
    void healAndCheck() throws Exception {
        client.turn.lock();
        try {
            checks++;
            machine.thawAll();
            if (!machine.mastersAlive()) {
                report.violation("a master died on its own");
                client.masterUp = false;
                machine.replaceDeadMasters();
                client.masterUp = true;
            }
            report.say("check " + checks + ": healed; waiting for " + settings.slaves() + " slaves online");
            if (!awaitSlavesOnline(90_000)) {
                return;
            }
            if (!client.resolve("at check " + checks)) {
                report.violation("the master did not answer at check " + checks);
                return;
            }
            long deadline = System.currentTimeMillis() + CONVERGE_MS;
            List<String> problems;
            while (true) {
                try {
                    problems = convergenceProblems();
                } catch (TransportException | IOException e) {
                    problems = List.of("the master did not answer: " + e.getMessage());
                }
                if (problems.isEmpty() || System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(100);
            }
            if (problems.isEmpty()) {
                report.say("check " + checks + ": converged; " + client.describeModel());
            } else {
                problems.forEach(p -> report.violation("check " + checks + ", " + CONVERGE_MS / 1000
                        + " s after healing: " + p));
            }
        } finally {
            client.turn.unlock();
        }
    }

    /** Every slave online in its present process (a node just killed may still look online). */
    boolean awaitSlavesOnline(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                Map<String, Long> startedAt = new HashMap<>();
                for (int k = 1; k <= settings.slaves(); k++) {
                    String name = "slave-" + k;
                    machine.slavePid(k).flatMap(ProcessHandle::of).flatMap(h -> h.info().startInstant())
                            .ifPresent(i -> startedAt.put(name, i.toEpochMilli()));
                }
                JsonNode nodes = JSON.readTree(machine.admin(Duration.ofSeconds(5), true, "sdm:nodes").output());
                int online = 0;
                for (JsonNode n : nodes) {
                    Long processStart = startedAt.get(n.path("name").asText());
                    online += n.path("online").asBoolean() && processStart != null
                            && n.path("onlineSinceMs").asLong() >= processStart - 1_000 ? 1 : 0;
                }
                last = online + " of " + nodes.size() + " online in their present process";
                if (online >= settings.slaves()) {
                    return true;
                }
            } catch (TransportException | IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(200);
        }
        report.violation("the slaves were not all online " + timeoutMs / 1000 + " s after healing: " + last);
        return false;
    }

    /** What differs between the model and what the master, the nodes and the slaves' processes report. */
    private List<String> convergenceProblems() throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode apps = JSON.readTree(machine.admin(Duration.ofSeconds(10), true, "sdm:apps").output());
        Map<String, JsonNode> byName = new HashMap<>();
        apps.forEach(a -> byName.put(a.get("name").asText(), a));
        for (String name : ChaosClient.PROGRAMS) {
            ChaosClient.Expect want = client.expected(name);
            JsonNode app = byName.get(name);
            if (!want.present()) {
                if (app != null) {
                    problems.add(name + " was uninstalled but the master lists it");
                }
                continue;
            }
            if (app == null) {
                problems.add(name + " " + want + " is missing at the master");
                continue;
            }
            if (!app.get("master").get("state").asText().equals(want.desired())) {
                problems.add(name + " on the master is " + app.get("master").get("state").asText() + ", not "
                        + want.desired());
            }
            for (JsonNode n : app.get("nodes")) {
                if (!n.get("state").asText().equals(want.desired())) {
                    problems.add(name + " on " + n.get("name").asText() + " is " + n.get("state").asText() + " ("
                            + n.get("detail").asText() + "), not " + want);
                }
            }
        }
        // what each slave process has really loaded
        for (Map.Entry<Long, Map<String, Set<String>>> e : machine.mappedVersions().entrySet()) {
            for (String name : ChaosClient.PROGRAMS) {
                ChaosClient.Expect want = client.expected(name);
                Set<String> versions = e.getValue().getOrDefault(name, Set.of());
                boolean shouldRun = want.present() && want.desired().equals("active");
                String expected = shouldRun ? want.version().substring(want.version().lastIndexOf('.') + 1) : null;
                if (shouldRun ? !versions.equals(Set.of(expected)) : !versions.isEmpty()) {
                    problems.add("slave " + e.getKey() + " maps " + name + " libraries of versions " + versions
                            + " where " + want + " is desired");
                }
            }
        }
        return problems;
    }

    /** Sampled all along: no slave may map two versions of one program's library. */
    void checkOneVersionMapped() {
        for (Map.Entry<Long, Map<String, Set<String>>> e : machine.mappedVersions().entrySet()) {
            e.getValue().forEach((name, versions) -> {
                if (versions.size() > 1) {
                    report.violation("slave " + e.getKey() + " maps " + name + " libraries of versions " + versions
                            + " at once");
                }
            });
        }
    }

    /**
     * No call ran after its expiry, which is its timeout from when the master sent it. A stamp
     * later than both the expiry and the master's answer is a call run late. The answer alone is
     * not the bound: the master answers for a node that goes offline at once, and the call may
     * still reach that node and run there within its time to live (a thawed slave does). The
     * harness does not see when the master took the call (the client may go round the masters
     * for seconds first), but no later than it answered, nor than the first node ran it.
     */
    void checkStamps() throws IOException {
        int ran = 0;
        List<ChaosClient.CallRecord> calls = client.calls();
        for (ChaosClient.CallRecord c : calls) {
            Map<String, Long> stamps = stamps(c.path());
            ran += stamps.size();
            if (c.answeredAt() == 0 || stamps.isEmpty()) {
                continue;
            }
            long taken = Math.min(c.answeredAt(), Collections.min(stamps.values()));
            long bound = Math.max(c.answeredAt(), taken + ChaosClient.CALL_TIMEOUT_MS);
            stamps.forEach((pid, at) -> {
                if (at > bound) {
                    report.violationAtEnd("a call of " + c.program() + ".stamp ran at " + at + " in process " + pid
                            + ", " + (at - bound) + " ms after its expiry and the master's answer (sent at "
                            + c.sentAt() + ", first run at " + taken + ", answer: " + c.answer() + ")");
                }
            });
        }
        report.say(calls.size() + " calls, " + ran + " runs of stamp() on slaves, every one checked against its "
                + "answer time");
    }

    /** The times a call's stamp() ran, by process id; a slave killed inside stamp() left an empty file. */
    private static Map<String, Long> stamps(Path call) throws IOException {
        String prefix = call.getFileName() + ".";
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> files = Files.list(call.getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                String text = Files.readString(f).strip();
                if (!text.isEmpty()) {
                    out.put(f.getFileName().toString().substring(prefix.length()), Long.parseLong(text));
                }
            }
        }
        return out;
    }
}
