package sdm.chaos;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import sdm.testkit.Folders;

/**
 * {@code bin/chaos}: a Jepsen-style run against {@code bin/sdm local --slaves 5}. A client thread
 * installs, starts, stops, updates, uninstalls and calls a few programs while a nemesis kill -9s
 * slaves, freezes them (SIGSTOP for 1-20 s), black-holes the master's port (iptables DROP, no
 * reset, for 1-20 s) and kill -9s and restarts the master. Every few
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
 * The parts: {@link ChaosMachine} (the machine and its faults), {@link ChaosClient} (the workload
 * and its model), {@link ChaosChecks} (the invariants); this class is the nemesis and the run.
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

    private final Settings settings;
    private final Random random;
    private final ChaosReport report;
    private final ChaosMachine machine;
    private final ChaosClient client;
    private final ChaosChecks checks;
    private final Map<String, Integer> faultCounts = new TreeMap<>();
    private final List<String> kinds = new ArrayList<>();
    /** Whether this machine can black-hole a port (iptables, as root). */
    private final boolean partitions = BlackHole.available();

    private Chaos(Settings settings, PrintStream log) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.report = new ChaosReport(log);
        this.machine = new ChaosMachine(settings, report);
        this.client = new ChaosClient(settings, report, machine);
        this.checks = new ChaosChecks(settings, report, machine, client);
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
            Folders.deleteTree(work);
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
        report.say("seed " + settings.seed() + ", " + settings.faults() + " faults, checks every "
                + settings.checkEvery() + ", work folder " + settings.work()
                + (partitions ? "" : "; no iptables here (or not root): no partitions"));
        Files.createDirectories(settings.work().resolve("calls"));
        machine.startMaster();
        client.masterUp = true;
        checks.awaitSlavesOnline(120_000);
        Thread clientThread = Thread.ofPlatform().name("chaos-client").start(
                () -> client.loop(checks::checkOneVersionMapped));
        Thread thawer = Thread.ofPlatform().daemon().name("chaos-thaw").start(machine::thawLoop);
        try {
            for (int fault = 1; fault <= settings.faults(); fault++) {
                Thread.sleep(settings.meanGapMs() / 2 + random.nextLong(settings.meanGapMs()));
                inject(fault);
                if (fault % settings.checkEvery() == 0 || fault == settings.faults()) {
                    checks.healAndCheck();
                }
            }
        } finally {
            client.running = false;
            clientThread.join(ChaosClient.ADMIN_TIMEOUT_MS * 2);
            thawer.interrupt();
        }
        checks.checkStamps();
        return new Outcome(settings.seed(), faultCounts, client.acknowledged.get(), client.refused.get(),
                client.indeterminate.get(), client.calls().size(), checks.count(), report.violations(),
                report.millis());
    }

    /**
     * The next fault's kind: of every ten, two master kills, three freezes, three slave kills and
     * two partitions, shuffled (without iptables, freezes and kills instead of partitions).
     */
    private String nextKind() {
        if (kinds.isEmpty()) {
            for (int i = 0; i < 10; i++) {
                kinds.add(i < 2 ? "master-kill" : i < 4 ? (partitions ? "partition" : "freeze")
                        : i < 7 ? "freeze" : "slave-kill");
            }
            java.util.Collections.shuffle(kinds, random);
        }
        return kinds.remove(kinds.size() - 1);
    }

    private void inject(int n) throws Exception {
        List<Long> slaves = machine.slavePids();
        String kind = nextKind();
        String what;
        if (kind.equals("master-kill") || slaves.isEmpty()) {
            what = "master-kill";
            if (machine.isPartitioned()) {
                machine.heal(); // a restarted master must answer the client at once
            }
            report.say("fault " + n + ": kill -9 the master (" + machine.masterPid() + ") and restart it");
            restartMaster();
        } else if (kind.equals("partition") && !machine.isPartitioned()) {
            long ms = 1_000 + random.nextLong(settings.maxFreezeMs() - 1_000);
            what = "partition";
            report.say(String.format(Locale.ROOT, "fault %d: black-hole the master's port for %.1f s", n, ms / 1000.0));
            machine.partition(ms);
        } else {
            List<Long> thawed = slaves.stream().filter(p -> !machine.isFrozen(p)).toList();
            if (kind.equals("freeze") && !thawed.isEmpty()) {
                long pid = thawed.get(random.nextInt(thawed.size()));
                long ms = 1_000 + random.nextLong(settings.maxFreezeMs() - 1_000);
                what = "freeze";
                report.say(String.format(Locale.ROOT, "fault %d: SIGSTOP slave %d for %.1f s", n, pid, ms / 1000.0));
                machine.freeze(pid, ms);
            } else {
                long pid = slaves.get(random.nextInt(slaves.size()));
                what = "slave-kill";
                report.say("fault " + n + ": kill -9 slave " + pid);
                machine.killSlave(pid);
            }
        }
        faultCounts.merge(what, 1, Integer::sum);
    }

    /**
     * kill -9 of {@code bin/sdm local}, then a new one on the same port and data folder: nothing
     * acknowledged may be missing after it. The client waits while
     * the master's answer is compared, and sends nothing to the new master before.
     */
    private void restartMaster() throws Exception {
        client.masterUp = false;
        machine.killMaster();
        machine.startMaster();
        client.turn.lock();
        try {
            if (!client.resolve("after the master's restart")) {
                report.violation("the master did not answer after its restart");
            }
            client.masterUp = true;
        } finally {
            client.turn.unlock();
        }
    }

    private void stopEverything() {
        client.running = false;
        machine.stop();
    }
}
