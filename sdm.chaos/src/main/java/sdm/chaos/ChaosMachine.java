package sdm.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sdm.api.node.NodeFiles;
import sdm.testkit.AdminSession;
import sdm.testkit.ProcessTree;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The machine a chaos run hurts: its masters and slaves, the faults it can suffer (the nemesis
 * picks them with {@link #inject}) and how everything is healed. What slaves suffer alike on
 * every kind of machine is here: freezes, kills, and a look at the libraries each has mapped.
 */
abstract class ChaosMachine {

    private static final Pattern MAPPED = Pattern.compile("/(chaos-[a-z])-[0-9a-f-]{36}/libchaos_[a-z]_(\\d+)\\.so");

    protected final Chaos.Settings settings;
    protected final ChaosReport report;
    /** Frozen slave pids and when they are due to be thawed. */
    private final Map<Long, Long> frozen = new ConcurrentHashMap<>();
    private final List<String> kinds = new ArrayList<>();
    protected volatile AdminSession admin;

    ChaosMachine(Chaos.Settings settings, ChaosReport report) {
        this.settings = settings;
        this.report = report;
    }

    /** Starts the machine and returns once its masters answer program commands. */
    abstract void start() throws Exception;

    /**
     * Injects fault number {@code n}, of the kind the shuffled bag gives next (or another if that
     * one cannot be done now), and returns its name.
     */
    abstract String inject(int n, Random random, ChaosClient client) throws Exception;

    /** Ten fault kinds, in the proportions this machine suffers them. */
    abstract List<String> bagOfTen();

    /** Whether every master that no fault has stopped still runs. */
    abstract boolean mastersAlive();

    /** Starts again the masters that died on their own. */
    abstract void replaceDeadMasters() throws Exception;

    /** Ends every fault on masters and the network (not freezes of slaves). */
    abstract void healMasters();

    /** Called about every 50 ms: ends what is due to end. */
    abstract void due(long now) throws Exception;

    /** The data folder of slave {@code k} (from 1), named {@code slave-k}. */
    abstract Path slaveData(int k);

    /** Every process of the run stopped, none of its slaves left. */
    abstract void stop();

    /** The next kind from a bag of ten, shuffled, refilled when empty. */
    protected String nextKind(Random random) {
        if (kinds.isEmpty()) {
            kinds.addAll(bagOfTen());
            java.util.Collections.shuffle(kinds, random);
        }
        return kinds.remove(kinds.size() - 1);
    }

    List<Long> slavePids() {
        List<Long> pids = new ArrayList<>();
        for (int k = 1; k <= settings.slaves(); k++) {
            slavePid(k).ifPresent(pids::add);
        }
        return pids;
    }

    /** The live process of {@code slave-k}, by its pid file. */
    Optional<Long> slavePid(int k) {
        try {
            long pid = Long.parseLong(Files.readString(slaveData(k).resolve(NodeFiles.PID)).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // not started yet, or being restarted
        }
    }

    boolean isFrozen(long pid) {
        return frozen.containsKey(pid);
    }

    /** SIGSTOP now, SIGCONT after {@code ms} (by {@link #thawLoop}). */
    void freeze(long pid, long ms) {
        signal("STOP", pid);
        frozen.put(pid, System.currentTimeMillis() + ms);
    }

    void killSlave(long pid) {
        frozen.remove(pid);
        signal("KILL", pid);
    }

    /** A slave fault: freeze one that runs for 1 s up to the longest freeze, or kill one. */
    protected String slaveFault(int n, String kind, Random random) {
        List<Long> slaves = slavePids();
        List<Long> thawed = slaves.stream().filter(p -> !isFrozen(p)).toList();
        if (kind.equals("freeze") && !thawed.isEmpty()) {
            long pid = thawed.get(random.nextInt(thawed.size()));
            long ms = faultMs(random);
            report.say(String.format(java.util.Locale.ROOT, "fault %d: SIGSTOP slave %d for %.1f s", n, pid,
                    ms / 1000.0));
            freeze(pid, ms);
            return "freeze";
        }
        if (slaves.isEmpty()) {
            return null;
        }
        long pid = slaves.get(random.nextInt(slaves.size()));
        report.say("fault " + n + ": kill -9 slave " + pid);
        killSlave(pid);
        return "slave-kill";
    }

    /** How long a fault lasts: 1 s up to the longest freeze. */
    protected long faultMs(Random random) {
        return 1_000 + random.nextLong(settings.maxFreezeMs() - 1_000);
    }

    /** Thaws each frozen slave and ends each other fault when it is due, until interrupted. */
    void thawLoop() {
        try {
            while (true) {
                long now = System.currentTimeMillis();
                try {
                    due(now);
                } catch (Exception e) {
                    report.say("could not end a fault: " + e);
                }
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

    /** Ends every fault now. */
    void thawAll() {
        healMasters();
        for (Long pid : List.copyOf(frozen.keySet())) {
            frozen.remove(pid);
            signal("CONT", pid);
        }
    }

    /** For each live slave process: program name to the versions of its library mapped there. */
    Map<Long, Map<String, Set<String>>> mappedVersions() {
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

    /** One command; with {@code json}, a refusal (but of {@code sdm:call}) is an {@link IOException}. */
    Message.AdminReply admin(Duration timeout, boolean json, String... command) throws TransportException, IOException {
        Message.AdminReply reply = admin.reply(timeout, json, command);
        if (json && !reply.ok() && !command[0].equals("sdm:call")) {
            throw new IOException(String.join(" ", command) + ": " + reply.error());
        }
        return reply;
    }

    protected static void signal(String signal, long pid) {
        try {
            ProcessTree.signal(signal, pid);
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
