package sdm.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.archive.JamPacker;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * {@code bin/chaos}: a Jepsen-style run against {@code bin/sdm local --slaves 5}. A client thread
 * installs, starts, stops, updates, uninstalls and calls a few programs while a nemesis kill -9s
 * slaves, freezes them (SIGSTOP for 1-20 s) and kill -9s and restarts the master. Every few
 * faults, and at the end, everything is healed and the invariants are checked:
 * <ul>
 * <li>every acknowledged desired state is what the master and every online node report within
 * 10 s of healing (and what each slave's process has mapped: the library of that version, or
 * none);</li>
 * <li>no node ever maps two versions of a program's library at once (sampled all along);</li>
 * <li>no call ran after its expiry (each call's C function stamps the time it ran; a node that
 * timed out must not have run it after the master answered);</li>
 * <li>nothing acknowledged is missing after a master restart.</li>
 * </ul>
 * An operation whose answer was lost (the master was killed under it) may or may not have taken
 * effect; the model keeps both outcomes until the master's next answer tells which.
 */
public final class Chaos {

    /** What a run does; {@link #defaults(Path, Path)} gives the long run's. */
    public record Settings(Path project, Path work, int faults, long seed, int slaves, int checkEvery,
            long maxFreezeMs, long meanGapMs) {

        public static Settings defaults(Path project, Path work) {
            return new Settings(project, work, 200, System.nanoTime(), 5, 20, 20_000, 2_500);
        }

        public Settings withFaults(int n, int everyN) {
            return new Settings(project, work, n, seed, slaves, everyN, maxFreezeMs, meanGapMs);
        }

        public Settings withSeed(long s) {
            return new Settings(project, work, faults, s, slaves, checkEvery, maxFreezeMs, meanGapMs);
        }
    }

    /** What a run found. */
    public record Outcome(long seed, Map<String, Integer> faults, int acknowledged, int refused, int indeterminate,
            int calls, int checks, List<String> violations, long millis) {

        public String summary() {
            int total = faults.values().stream().mapToInt(Integer::intValue).sum();
            return String.format(Locale.ROOT,
                    "chaos: %d faults %s, %d operations (%d acknowledged, %d refused, %d indeterminate), %d calls, "
                            + "%d checks: %d violation%s in %.0f s (seed %d)",
                    total, faults, acknowledged + refused + indeterminate, acknowledged, refused, indeterminate, calls,
                    checks, violations.size(), violations.size() == 1 ? "" : "s", millis / 1000.0, seed);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PROGRAMS = List.of("chaos-a", "chaos-b", "chaos-c");
    /** How long every online node has to report the desired state once everything is healed. */
    private static final long CONVERGE_MS = 10_000;
    private static final long ADMIN_TIMEOUT_MS = 15_000;
    private static final Pattern MAPPED = Pattern.compile("/(chaos-[a-z])-[0-9a-f-]{36}/libchaos_[a-z]_(\\d+)\\.so");
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
    private record Expect(String version, String desired) {
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
    private record CallRecord(String program, Path path, long sentAt, long answeredAt, String answer) {
    }

    private final Settings settings;
    private final PrintStream log;
    private final Random random;
    private final Path data;
    private final long started = System.currentTimeMillis();

    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> faultCounts = new TreeMap<>();
    private final List<String> kinds = new ArrayList<>();
    /** Each program's possible desired states: one when known, two after an indeterminate operation. */
    private final Map<String, List<Expect>> model = new ConcurrentHashMap<>();
    private final Map<String, Integer> nextVersion = new HashMap<>();
    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();
    private final ReentrantLock clientTurn = new ReentrantLock();
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicInteger acknowledged = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger indeterminate = new java.util.concurrent.atomic.AtomicInteger();
    private int checks; // the nemesis thread's

    private final int port;
    private Process master;
    private volatile boolean masterUp;
    private volatile Bench.Admin admin;
    /** Frozen slave pids and when they are due to be thawed. */
    private final Map<Long, Long> frozen = new ConcurrentHashMap<>();
    private final List<Process> processes = new ArrayList<>();

    private Chaos(Settings settings, PrintStream log) throws IOException {
        this.settings = settings;
        this.log = log;
        this.random = new Random(settings.seed());
        this.data = settings.work().resolve("sdm-data");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (String p : PROGRAMS) {
            model.put(p, List.of(Expect.ABSENT));
            nextVersion.put(p, 1);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: bin/chaos [--faults N] [--check-every N] [--seed N] [--keep]");
                return;
            }
            if (args[i].equals("--keep")) {
                options.put("--keep", "true");
            } else if (i + 1 < args.length && Set.of("--faults", "--check-every", "--seed").contains(args[i])) {
                options.put(args[i], args[++i]);
            } else {
                System.err.println("chaos: unknown argument '" + args[i]
                        + "' (usage: bin/chaos [--faults N] [--check-every N] [--seed N] [--keep])");
                System.exit(2);
            }
        }
        Path project = Path.of(System.getProperty("sdm.project", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("sdm-chaos-");
        Settings s = Settings.defaults(project, work);
        try {
            s = s.withFaults(Integer.parseInt(options.getOrDefault("--faults", "200")),
                    Integer.parseInt(options.getOrDefault("--check-every", "20")));
            if (options.containsKey("--seed")) {
                s = s.withSeed(Long.parseLong(options.get("--seed")));
            }
        } catch (NumberFormatException e) {
            System.err.println("chaos: --faults, --check-every and --seed want numbers: " + e.getMessage());
            System.exit(2);
        }
        Outcome o = run(s, System.out);
        o.violations().forEach(v -> System.out.println("VIOLATION " + v));
        System.out.println(o.summary());
        if (options.containsKey("--keep") || !o.violations().isEmpty()) {
            System.out.println("chaos: the machine's folders (logs, stamps) are in " + work);
        } else {
            Bench.deleteTree(work);
        }
        System.exit(o.violations().isEmpty() ? 0 : 1);
    }

    /** One run, start to end: every process it starts is stopped before it returns. */
    public static Outcome run(Settings settings, PrintStream log) throws Exception {
        Chaos chaos = new Chaos(settings, log);
        Thread stopper = new Thread(chaos::stopEverything, "chaos-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            return chaos.run();
        } finally {
            chaos.stopEverything();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    private Outcome run() throws Exception {
        say("seed " + settings.seed() + ", " + settings.faults() + " faults, checks every " + settings.checkEvery()
                + ", work folder " + settings.work());
        Files.createDirectories(settings.work().resolve("calls"));
        startMaster();
        masterUp = true;
        awaitSlavesOnline(120_000);
        Thread client = Thread.ofPlatform().name("chaos-client").start(this::clientLoop);
        Thread thawer = Thread.ofPlatform().daemon().name("chaos-thaw").start(this::thawLoop);
        try {
            for (int fault = 1; fault <= settings.faults(); fault++) {
                Thread.sleep(settings.meanGapMs() / 2 + random.nextLong(settings.meanGapMs()));
                inject(fault);
                if (fault % settings.checkEvery() == 0 || fault == settings.faults()) {
                    healAndCheck();
                }
            }
        } finally {
            running = false;
            client.join(ADMIN_TIMEOUT_MS * 2);
            thawer.interrupt();
        }
        checkStamps();
        return new Outcome(settings.seed(), faultCounts, acknowledged.get(), refused.get(), indeterminate.get(),
                calls.size(), checks,
                List.copyOf(violations), System.currentTimeMillis() - started);
    }

    // ---- the nemesis ----

    /** The next fault's kind: of every ten, two master kills, four freezes and four slave kills, shuffled. */
    private String nextKind() {
        if (kinds.isEmpty()) {
            for (int i = 0; i < 10; i++) {
                kinds.add(i < 2 ? "master-kill" : i < 6 ? "freeze" : "slave-kill");
            }
            java.util.Collections.shuffle(kinds, random);
        }
        return kinds.remove(kinds.size() - 1);
    }

    private void inject(int n) throws Exception {
        List<Long> slaves = slavePids();
        String kind = nextKind();
        String what;
        if (kind.equals("master-kill") || slaves.isEmpty()) {
            what = "master-kill";
            say("fault " + n + ": kill -9 the master (" + master.pid() + ") and restart it");
            restartMaster();
        } else {
            List<Long> thawed = slaves.stream().filter(p -> !frozen.containsKey(p)).toList();
            if (kind.equals("freeze") && !thawed.isEmpty()) {
                long pid = thawed.get(random.nextInt(thawed.size()));
                long ms = 1_000 + random.nextLong(settings.maxFreezeMs() - 1_000);
                what = "freeze";
                say(String.format(Locale.ROOT, "fault %d: SIGSTOP slave %d for %.1f s", n, pid, ms / 1000.0));
                signal("STOP", pid);
                frozen.put(pid, System.currentTimeMillis() + ms);
            } else {
                long pid = slaves.get(random.nextInt(slaves.size()));
                what = "slave-kill";
                say("fault " + n + ": kill -9 slave " + pid);
                frozen.remove(pid);
                signal("KILL", pid);
            }
        }
        faultCounts.merge(what, 1, Integer::sum);
    }

    private void thawLoop() {
        try {
            while (true) {
                long now = System.currentTimeMillis();
                for (Map.Entry<Long, Long> e : frozen.entrySet()) {
                    if (e.getValue() <= now && frozen.remove(e.getKey(), e.getValue())) {
                        signal("CONT", e.getKey());
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            // the run is over
        }
    }

    private void thawAll() {
        for (Long pid : List.copyOf(frozen.keySet())) {
            frozen.remove(pid);
            signal("CONT", pid);
        }
    }

    /**
     * kill -9 of {@code bin/sdm local}: its slaves see their supervisor gone and stop (a frozen
     * one once thawed), and are started again with the new master, as {@code bin/sdm local} does.
     */
    private void restartMaster() throws Exception {
        masterUp = false;
        List<ProcessHandle> old = master.descendants().toList(); // its slaves, one being started included
        master.destroyForcibly();
        master.waitFor(10, TimeUnit.SECONDS);
        awaitGone(old);
        startMaster();
        // nothing acknowledged may be missing: the client waits while the master's answer is compared,
        // and sends nothing to the new master before
        clientTurn.lock();
        try {
            if (!resolve("after the master's restart")) {
                violations.add(at() + "the master did not answer after its restart");
            }
            masterUp = true;
        } finally {
            clientTurn.unlock();
        }
    }

    /**
     * Waits for the slaves of a killed {@code bin/sdm local} to stop (thawed first: a frozen one
     * cannot see its supervisor gone), so that no new slave shares a data folder with an old one.
     */
    private void awaitGone(List<ProcessHandle> old) {
        thawAll();
        long deadline = System.currentTimeMillis() + 20_000;
        for (ProcessHandle h : old) {
            try {
                h.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                violations.add(at() + "process " + h.pid() + " still ran 20 s after its bin/sdm local was killed");
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> h).join();
            }
        }
    }

    private void startMaster() throws Exception {
        Files.deleteIfExists(data.resolve("master/master.endpoint"));
        Path dir = settings.work();
        ProcessBuilder pb = new ProcessBuilder(settings.project().resolve("bin/sdm").toString(), "local", "--no-console",
                "--slaves", "" + settings.slaves(), "--bind", "127.0.0.1:" + port, "--data", data.toString())
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("local.out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("local.err").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        master = pb.start();
        synchronized (processes) {
            processes.add(master);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                // the program commands answer once the master has read its desired state
                if (Files.exists(data.resolve("master/master.endpoint"))) {
                    if (admin == null) { // the same address and keys after every restart
                        admin = new Bench.Admin(data.resolve("master"));
                    }
                    if (admin(Duration.ofSeconds(5), false, "sdm:apps").ok()) {
                        break;
                    }
                }
            } catch (TransportException | IOException e) {
                // not yet
            }
            if (!master.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IOException("bin/sdm local did not start (see " + dir.resolve("local.err") + ")");
            }
            Thread.sleep(100);
        }
    }

    private List<Long> slavePids() {
        List<Long> pids = new ArrayList<>();
        for (int k = 1; k <= settings.slaves(); k++) {
            slavePid(k).ifPresent(pids::add);
        }
        return pids;
    }

    /** The live process of {@code slave-k}, by its pid file. */
    private Optional<Long> slavePid(int k) {
        try {
            long pid = Long.parseLong(Files.readString(data.resolve("slave-" + k + "/sdm.pid")).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // not started yet, or being restarted
        }
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, "" + pid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the client ----

    private void clientLoop() {
        Random r = new Random(settings.seed() + 1);
        while (running) {
            clientTurn.lock();
            try {
                if (masterUp) {
                    clientStep(r);
                }
                checkOneVersionMapped();
            } catch (Exception e) {
                say("client: " + e);
            } finally {
                clientTurn.unlock();
            }
            try {
                Thread.sleep(50 + r.nextInt(250));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void clientStep(Random r) throws Exception {
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
            Message.AdminReply reply = admin(Duration.ofMillis(ADMIN_TIMEOUT_MS), false, command.toArray(String[]::new));
            if (reply.ok()) {
                acknowledged.incrementAndGet();
                model.put(name, List.of(after));
            } else {
                refused.incrementAndGet();
                say("refused: " + String.join(" ", command) + ": " + reply.error());
            }
        } catch (TransportException | IOException e) {
            indeterminate.incrementAndGet();
            model.put(name, List.of(before, after));
            say("indeterminate: " + String.join(" ", command) + " (" + e.getMessage() + ")");
        }
    }

    /** Calls stamp() on every node of the program, with a 1 s timeout. */
    private void call(String name) throws IOException {
        Path path = settings.work().resolve("calls/" + name + "-" + calls.size());
        long sent = System.currentTimeMillis();
        try {
            Message.AdminReply reply = admin(Duration.ofMillis(ADMIN_TIMEOUT_MS), true, "sdm:call", "--timeout", "1",
                    name, "stamp", path.toString());
            calls.add(new CallRecord(name, path, sent, System.currentTimeMillis(),
                    reply.ok() ? reply.output().strip() : reply.error()));
        } catch (TransportException e) {
            calls.add(new CallRecord(name, path, sent, 0, e.getMessage()));
        }
    }

    // ---- the checks ----

    private void healAndCheck() throws Exception {
        clientTurn.lock();
        try {
            checks++;
            thawAll();
            if (!master.isAlive()) {
                violations.add(at() + "bin/sdm local died on its own");
                masterUp = false;
                awaitGone(slavePids().stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
                startMaster();
                masterUp = true;
            }
            say("check " + checks + ": healed; waiting for " + settings.slaves() + " slaves online");
            if (!awaitSlavesOnline(90_000)) {
                return;
            }
            if (!resolve("at check " + checks)) {
                violations.add(at() + "the master did not answer at check " + checks);
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
                say("check " + checks + ": converged; " + describeModel());
            } else {
                problems.forEach(p -> violations.add(at() + "check " + checks + ", " + CONVERGE_MS / 1000
                        + " s after healing: " + p));
            }
        } finally {
            clientTurn.unlock();
        }
    }

    private boolean awaitSlavesOnline(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                // online since after its process started: a node just killed may still look online
                Map<String, Long> startedAt = new HashMap<>();
                for (int k = 1; k <= settings.slaves(); k++) {
                    String name = "slave-" + k;
                    slavePid(k).flatMap(ProcessHandle::of).flatMap(h -> h.info().startInstant())
                            .ifPresent(i -> startedAt.put(name, i.toEpochMilli()));
                }
                JsonNode nodes = JSON.readTree(admin(Duration.ofSeconds(5), true, "sdm:nodes").output());
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
        violations.add(at() + "the slaves were not all online " + timeoutMs / 1000 + " s after healing: " + last);
        return false;
    }

    /**
     * Reads the master's programs and settles each uncertain program on the outcome it reports,
     * which must be one of those the model allowed.
     */
    private boolean resolve(String when) {
        Map<String, Expect> master;
        try {
            master = masterPrograms();
        } catch (TransportException | IOException e) {
            say("the master's programs could not be read " + when + ": " + e.getMessage());
            return false;
        }
        for (String name : PROGRAMS) {
            Expect actual = master.getOrDefault(name, Expect.ABSENT);
            List<Expect> allowed = model.get(name);
            if (!allowed.contains(actual)) {
                violations.add(at() + when + ": the master has " + name + " " + actual + ", acknowledged was "
                        + (allowed.size() == 1 ? allowed.get(0) : "one of " + allowed));
            }
            model.put(name, List.of(actual));
        }
        return true;
    }

    private Map<String, Expect> masterPrograms() throws TransportException, IOException {
        Map<String, Expect> out = new HashMap<>();
        for (JsonNode app : JSON.readTree(admin(Duration.ofSeconds(10), true, "sdm:apps").output())) {
            out.put(app.get("name").asText(), new Expect(app.get("version").asText(), app.get("desired").asText()));
        }
        return out;
    }

    /** What differs between the model and what the master, the nodes and the slaves' processes report. */
    private List<String> convergenceProblems() throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode apps = JSON.readTree(admin(Duration.ofSeconds(10), true, "sdm:apps").output());
        Map<String, JsonNode> byName = new HashMap<>();
        apps.forEach(a -> byName.put(a.get("name").asText(), a));
        for (String name : PROGRAMS) {
            Expect want = model.get(name).get(0);
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
        for (Map.Entry<Long, Map<String, Set<String>>> e : mappedVersions().entrySet()) {
            for (String name : PROGRAMS) {
                Expect want = model.get(name).get(0);
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
    private void checkOneVersionMapped() {
        for (Map.Entry<Long, Map<String, Set<String>>> e : mappedVersions().entrySet()) {
            e.getValue().forEach((name, versions) -> {
                if (versions.size() > 1) {
                    violations.add(at() + "slave " + e.getKey() + " maps " + name + " libraries of versions "
                            + versions + " at once");
                }
            });
        }
    }

    /** For each live slave process: program name to the versions of its library mapped there. */
    private Map<Long, Map<String, Set<String>>> mappedVersions() {
        Map<Long, Map<String, Set<String>>> out = new TreeMap<>();
        for (long pid : slavePids()) {
            Map<String, Set<String>> programs = new TreeMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                    Matcher m = MAPPED.matcher(line);
                    if (m.find()) {
                        programs.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
                    }
                }
            } catch (IOException e) {
                continue; // it ended meanwhile
            }
            out.put(pid, programs);
        }
        return out;
    }

    /**
     * No call ran after its expiry: a node that timed out was answered for at {@code answeredAt},
     * after the call's expiry, so a stamp later than that is a call run late.
     */
    private void checkStamps() throws IOException {
        int ran = 0;
        for (CallRecord c : calls) {
            try (Stream<Path> files = Files.list(c.path().getParent())) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith(c.path().getFileName() + "."))
                        .toList()) {
                    String text = Files.readString(f).strip();
                    if (text.isEmpty()) {
                        continue; // its slave was killed inside stamp(), before it wrote the time
                    }
                    ran++;
                    long at = Long.parseLong(text);
                    if (c.answeredAt() > 0 && at > c.answeredAt()) {
                        violations.add("a call of " + c.program() + ".stamp ran at " + at + " in process "
                                + f.getFileName().toString().substring(c.path().getFileName().toString().length() + 1)
                                + ", " + (at - c.answeredAt()) + " ms after the master had answered for it"
                                + " (sent at " + c.sentAt() + ", answer: " + c.answer() + ")");
                    }
                }
            }
        }
        say(calls.size() + " calls, " + ran + " runs of stamp() on slaves, every one checked against its answer time");
    }

    // ---- plumbing ----

    private Message.AdminReply admin(Duration timeout, boolean json, String... command)
            throws TransportException, IOException {
        Message.AdminReply reply = admin.execute(timeout, json, command);
        if (json && !reply.ok() && !command[0].equals("sdm:call")) {
            throw new IOException(String.join(" ", command) + ": " + reply.error());
        }
        return reply;
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
        Path so = dir.resolve("native/linux-x86_64/" + lib);
        Files.createDirectories(so.getParent());
        Path c = dir.resolve("chaos.c");
        Files.writeString(c, SOURCE);
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-DVERSION=" + n, "-o", so.toString(),
                c.toString()).redirectErrorStream(true).start();
        String said = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc failed: " + said);
        }
        Files.delete(c);
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {"name":"%s","version":"%s",
                 "native":{"libraries":[{"os":"linux","arch":"x86_64","path":"native/linux-x86_64/%s"}],
                           "functions":[{"name":"version","returns":"int","params":[]},
                                       {"name":"stamp","returns":"int","params":["string"]}]}}
                """.formatted(name, version(n), lib));
        Files.createDirectories(out.getParent());
        return JamPacker.pack(dir, out);
    }

    private String describeModel() {
        Map<String, String> m = new TreeMap<>();
        model.forEach((k, v) -> m.put(k, v.size() == 1 ? v.get(0).toString() : v.toString()));
        return m.toString();
    }

    private String at() {
        return String.format(Locale.ROOT, "[%.1f s] ", (System.currentTimeMillis() - started) / 1000.0);
    }

    private void say(String line) {
        log.println(at() + line);
    }

    private void stopEverything() {
        running = false;
        thawAll();
        List<Process> all;
        synchronized (processes) {
            all = List.copyOf(processes);
        }
        for (Process p : all) {
            List<ProcessHandle> family = p.descendants().toList();
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            family.forEach(ProcessHandle::destroyForcibly);
        }
        // slaves outlive a killed bin/sdm local for a moment; none may outlive the run
        slavePids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
}
