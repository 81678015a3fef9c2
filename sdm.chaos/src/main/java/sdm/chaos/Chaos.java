package sdm.chaos;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import sdm.testkit.Folders;

/**
 * {@code bin/chaos}: a Jepsen-style run against {@code bin/sdm local --slaves 5}, or with
 * {@code --masters 3} against three replicated masters and five slaves. A client thread
 * installs, starts, stops, updates, uninstalls and calls a few programs while a nemesis kill -9s
 * slaves, freezes them (SIGSTOP for 1-20 s), and hurts masters: one master is kill -9ed and
 * restarted, and its port black-holed (iptables DROP, no reset, for 1-20 s), or one of three is
 * killed, frozen or cut off for 1-20 s ({@link OneMasterMachine}, {@link ReplicatedMachine}).
 * Every few faults, and at the end, everything is healed and the invariants are checked:
 * <ul>
 * <li>every acknowledged desired state is what the master and every online node report within
 * 10 s of healing (and what each slave's process has mapped: the library of that version, or
 * none);</li>
 * <li>no node ever maps two versions of a program's library at once (sampled all along);</li>
 * <li>no call ran after its expiry (each call's C function stamps the time it ran; a node that
 * timed out must not have run it after both the master's answer and the call's time to live);</li>
 * <li>nothing acknowledged is missing after a master restart.</li>
 * </ul>
 * The parts: {@link ChaosMachine} (the machine and its faults), {@link ChaosClient} (the workload
 * and its model), {@link ChaosChecks} (the invariants); this class is the nemesis and the run.
 */
public final class Chaos {

    /** What a run does; {@link #defaults(Path, Path)} gives the long run's. */
    public record Settings(Path project, Path work, int faults, long seed, int masters, int slaves, int checkEvery,
            long maxFreezeMs, long meanGapMs) {

        public static Settings defaults(Path project, Path work) {
            return new Settings(project, work, 200, System.nanoTime(), 1, 5, 20, 20_000, 2_500);
        }

        public Settings withFaults(int n, int everyN) {
            return new Settings(project, work, n, seed, masters, slaves, everyN, maxFreezeMs, meanGapMs);
        }

        public Settings withSeed(long s) {
            return new Settings(project, work, faults, s, masters, slaves, checkEvery, maxFreezeMs, meanGapMs);
        }

        /** One master ({@code bin/sdm local}) or that many replicated ones. */
        public Settings withMasters(int n) {
            return new Settings(project, work, faults, seed, n, slaves, checkEvery, maxFreezeMs, meanGapMs);
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

    private Chaos(Settings settings, PrintStream log) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.report = new ChaosReport(log);
        this.machine = settings.masters() > 1 ? new ReplicatedMachine(settings, report)
                : new OneMasterMachine(settings, report);
        this.client = new ChaosClient(settings, report, machine);
        this.checks = new ChaosChecks(settings, report, machine, client);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: bin/chaos [--masters 1|3|5] [--faults N] [--check-every N] [--seed N] [--keep]");
                return;
            }
            if (args[i].equals("--keep")) {
                options.put("--keep", "true");
            } else if (i + 1 < args.length && Set.of("--masters", "--faults", "--check-every", "--seed").contains(args[i])) {
                options.put(args[i], args[++i]);
            } else {
                System.err.println("chaos: unknown argument '" + args[i]
                        + "' (usage: bin/chaos [--masters 1|3|5] [--faults N] [--check-every N] [--seed N] [--keep])");
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
            s = s.withMasters(Integer.parseInt(options.getOrDefault("--masters", "1")));
        } catch (NumberFormatException e) {
            System.err.println("chaos: --masters, --faults, --check-every and --seed want numbers: " + e.getMessage());
            System.exit(2);
        }
        if (!Set.of(1, 3, 5).contains(s.masters())) {
            System.err.println("chaos: --masters wants 1, 3 or 5, not " + s.masters());
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
                + settings.checkEvery() + ", " + settings.masters() + " master(s), work folder " + settings.work());
        Files.createDirectories(settings.work().resolve("calls"));
        machine.start();
        client.masterUp = true;
        checks.awaitSlavesOnline(120_000);
        Thread clientThread = Thread.ofPlatform().name("chaos-client").start(
                () -> client.loop(checks::checkOneVersionMapped));
        Thread thawer = Thread.ofPlatform().daemon().name("chaos-thaw").start(machine::thawLoop);
        try {
            for (int fault = 1; fault <= settings.faults(); fault++) {
                Thread.sleep(settings.meanGapMs() / 2 + random.nextLong(settings.meanGapMs()));
                faultCounts.merge(machine.inject(fault, random, client), 1, Integer::sum);
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

    private void stopEverything() {
        client.running = false;
        machine.stop();
    }
}
