package sdm.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.archive.JamPacker;
import sdm.testkit.Gcc;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The chaos run's client: installs, starts, stops, updates, uninstalls and calls a few programs,
 * and keeps the model of what the master acknowledged. An operation whose answer was lost (the
 * master was killed under it) may or may not have taken effect; the model keeps both outcomes
 * until the master's next answer tells which.
 */
final class ChaosClient {

    static final List<String> PROGRAMS = List.of("chaos-a", "chaos-b", "chaos-c");
    static final long ADMIN_TIMEOUT_MS = 15_000;
    /** The timeout of each call, and so its time to live. */
    static final long CALL_TIMEOUT_MS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = """
            #include <stdio.h>
            #include <time.h>
            #include <unistd.h>
            int version(void) { return VERSION; }
            /* writes the wall-clock time it ran, in ms, to PATH.PID: the harness checks it against the call's expiry */
            int stamp(const char *path) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                char file[1024];
                snprintf(file, sizeof file, "%s.%d", path, (int) getpid());
                FILE *f = fopen(file, "w");
                if (!f) return -1;
                fprintf(f, "%lld\\n", (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
                fclose(f);
                return VERSION;
            }
            """;

    /** A program's desired state: {@code version} null when it is not installed. */
    record Expect(String version, String desired) {
        static final Expect ABSENT = new Expect(null, null);

        boolean present() {
            return version != null;
        }

        @Override
        public String toString() {
            return present() ? version + " " + desired : "absent";
        }
    }

    /** A call made: its stamp files are {@code path.PID}; {@code answeredAt} 0 when no answer came. */
    record CallRecord(String program, Path path, long sentAt, long answeredAt, String answer) {
    }

    private final Chaos.Settings settings;
    private final ChaosReport report;
    private final ChaosMachine machine;
    /** Each program's possible desired states: one when known, two after an indeterminate operation. */
    private final Map<String, List<Expect>> model = new ConcurrentHashMap<>();
    private final Map<String, Integer> nextVersion = new HashMap<>();
    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();
    /** Held by the client for each step, and by whoever must compare the master with the model. */
    final ReentrantLock turn = new ReentrantLock();
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger indeterminate = new AtomicInteger();
    volatile boolean masterUp;
    volatile boolean running = true;

    ChaosClient(Chaos.Settings settings, ChaosReport report, ChaosMachine machine) {
        this.settings = settings;
        this.report = report;
        this.machine = machine;
        for (String p : PROGRAMS) {
            model.put(p, List.of(Expect.ABSENT));
            nextVersion.put(p, 1);
        }
    }

    /** Steps until {@link #running} is false, running {@code sample} after each one. */
    void loop(Runnable sample) {
        Random r = new Random(settings.seed() + 1);
        while (running) {
            turn.lock();
            try {
                if (masterUp) {
                    step(r);
                }
                sample.run();
            } catch (Exception e) {
                report.say("client: " + e);
            } finally {
                turn.unlock();
            }
            try {
                Thread.sleep(50 + r.nextInt(250));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void step(Random r) throws Exception {
        if (model.values().stream().anyMatch(c -> c.size() > 1) && !resolve("before the next operation")) {
            return;
        }
        String name = PROGRAMS.get(r.nextInt(PROGRAMS.size()));
        Expect now = model.get(name).get(0);
        if (now.present() && now.desired().equals("active") && r.nextBoolean()) {
            call(name);
            return;
        }
        if (!now.present()) {
            boolean start = r.nextBoolean();
            Path archive = archive(name, nextVersion.get(name));
            List<String> cmd = new ArrayList<>(List.of("sdm:install", "--timeout", "2"));
            if (start) {
                cmd.add("--start");
            }
            cmd.add(archive.toString());
            operate(name, new Expect(version(nextVersion.get(name)), start ? "active" : "installed"), cmd);
            nextVersion.merge(name, 1, Integer::sum);
            return;
        }
        int op = r.nextInt(7);
        if (op < 2) {
            operate(name, new Expect(now.version(), "active"), List.of("sdm:start", "--timeout", "2", name));
        } else if (op < 4) {
            operate(name, new Expect(now.version(), "stopped"), List.of("sdm:stop", "--timeout", "2", name));
        } else if (op < 6) {
            Path archive = archive(name, nextVersion.get(name));
            operate(name, new Expect(version(nextVersion.get(name)), now.desired()),
                    List.of("sdm:update", "--timeout", "2", archive.toString()));
            nextVersion.merge(name, 1, Integer::sum);
        } else {
            operate(name, Expect.ABSENT, List.of("sdm:uninstall", "--timeout", "2", name));
        }
    }

    /** Runs one operation and updates the model by what the master answered (or did not). */
    private void operate(String name, Expect after, List<String> command) {
        Expect before = model.get(name).get(0);
        try {
            Message.AdminReply reply = machine.admin(Duration.ofMillis(ADMIN_TIMEOUT_MS), false,
                    command.toArray(String[]::new));
            if (reply.ok()) {
                acknowledged.incrementAndGet();
                model.put(name, List.of(after));
            } else if (reply.error().contains("it may still take effect")) {
                indeterminate.incrementAndGet();
                model.put(name, List.of(before, after));
                report.say("indeterminate: " + String.join(" ", command) + ": " + reply.error());
            } else {
                refused.incrementAndGet();
                report.say("refused: " + String.join(" ", command) + ": " + reply.error());
            }
        } catch (TransportException | IOException e) {
            indeterminate.incrementAndGet();
            model.put(name, List.of(before, after));
            report.say("indeterminate: " + String.join(" ", command) + " (" + e.getMessage() + ")");
        }
    }

    /** Calls stamp() on every node of the program, with a 1 s timeout. */
    private void call(String name) throws IOException {
        Path path = settings.work().resolve("calls/" + name + "-" + calls.size());
        long sent = System.currentTimeMillis();
        try {
            Message.AdminReply reply = machine.admin(Duration.ofMillis(ADMIN_TIMEOUT_MS), true, "sdm:call",
                    "--timeout", String.valueOf(CALL_TIMEOUT_MS / 1000), name, "stamp", path.toString());
            calls.add(new CallRecord(name, path, sent, System.currentTimeMillis(),
                    reply.ok() ? reply.output().strip() : reply.error()));
        } catch (TransportException e) {
            calls.add(new CallRecord(name, path, sent, 0, e.getMessage()));
        }
    }

    /**
     * Reads the master's programs and settles each uncertain program on the outcome it reports,
     * which must be one of those the model allowed.
     *
     * @return false if the master could not be read
     */
    boolean resolve(String when) {
        Map<String, Expect> master;
        try {
            master = masterPrograms();
        } catch (TransportException | IOException e) {
            report.say("the master's programs could not be read " + when + ": " + e.getMessage());
            return false;
        }
        for (String name : PROGRAMS) {
            Expect actual = master.getOrDefault(name, Expect.ABSENT);
            List<Expect> allowed = model.get(name);
            if (!allowed.contains(actual)) {
                report.violation(when + ": the master has " + name + " " + actual + ", acknowledged was "
                        + (allowed.size() == 1 ? allowed.get(0) : "one of " + allowed));
            }
            model.put(name, List.of(actual));
        }
        return true;
    }

    private Map<String, Expect> masterPrograms() throws TransportException, IOException {
        Map<String, Expect> out = new HashMap<>();
        for (JsonNode app : JSON.readTree(machine.admin(Duration.ofSeconds(10), true, "sdm:apps").output())) {
            out.put(app.get("name").asText(), new Expect(app.get("version").asText(), app.get("desired").asText()));
        }
        return out;
    }

    /** The program's one known desired state (the model is settled when this is asked). */
    Expect expected(String name) {
        return model.get(name).get(0);
    }

    List<CallRecord> calls() {
        return List.copyOf(calls);
    }

    String describeModel() {
        Map<String, String> m = new TreeMap<>();
        model.forEach((k, v) -> m.put(k, v.size() == 1 ? v.get(0).toString() : v.toString()));
        return m.toString();
    }

    private static String version(int n) {
        return "1.0." + n;
    }

    /** The program's archive at version 1.0.N: version() returns N; the library's file name carries N. */
    private Path archive(String name, int n) throws Exception {
        Path out = settings.work().resolve("archives/" + name + "-" + version(n) + ".jam.zip");
        if (Files.exists(out)) {
            return out;
        }
        String lib = "lib" + name.replace('-', '_') + "_" + n + ".so";
        Path dir = settings.work().resolve("src/" + name + "-" + n);
        Gcc.sharedLibrary(dir.resolve("native/linux-x86_64/" + lib), SOURCE, "-DVERSION=" + n);
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {"name":"%s","version":"%s",
                 "native":{"libraries":[{"os":"linux","arch":"x86_64","path":"native/linux-x86_64/%s"}],
                           "functions":[{"name":"version","returns":"int","params":[]},
                                       {"name":"stamp","returns":"int","params":["string"]}]}}
                """.formatted(name, version(n), lib));
        Files.createDirectories(out.getParent());
        return JamPacker.pack(dir, out);
    }
}
