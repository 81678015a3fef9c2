package sdm.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import sdm.api.node.NodeFiles;
import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.ProcessTree;
import sdm.testkit.SdmProcess;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The machine a chaos run hurts: {@code bin/sdm local --slaves N} on one port and data folder
 * for the whole run, its master killed and started again, its slaves killed and frozen, and its
 * master's port black-holed ({@link BlackHole}).
 */
final class ChaosMachine {

    private static final Pattern MAPPED = Pattern.compile("/(chaos-[a-z])-[0-9a-f-]{36}/libchaos_[a-z]_(\\d+)\\.so");

    private final Chaos.Settings settings;
    private final ChaosReport report;
    private final Path data;
    private final int port = Ports.free();
    private final List<SdmProcess> processes = new ArrayList<>();
    /** Frozen slave pids and when they are due to be thawed. */
    private final Map<Long, Long> frozen = new ConcurrentHashMap<>();
    private final BlackHole blackHole = new BlackHole(port);
    /** When the partition is due to heal, 0 if there is none. */
    private volatile long healAt;
    private volatile SdmProcess master;
    private volatile AdminSession admin;

    ChaosMachine(Chaos.Settings settings, ChaosReport report) {
        this.settings = settings;
        this.report = report;
        this.data = settings.work().resolve("sdm-data");
    }

    /** Starts {@code bin/sdm local} and returns once its master answers program commands. */
    void startMaster() throws Exception {
        Files.deleteIfExists(data.resolve("master").resolve(NodeFiles.MASTER_ENDPOINT));
        SdmProcess local = SdmProcess.start(settings.work(), Map.of(), "local", "--no-console", "--slaves",
                "" + settings.slaves(), "--bind", "127.0.0.1:" + port, "--data", data.toString());
        synchronized (processes) {
            processes.add(local);
        }
        master = local;
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                // the program commands answer once the master has read its desired state
                if (Files.exists(data.resolve("master").resolve(NodeFiles.MASTER_ENDPOINT))) {
                    if (admin == null) { // the same address and keys after every restart
                        admin = new AdminSession(data.resolve("master"));
                    }
                    if (admin(Duration.ofSeconds(5), false, "sdm:apps").ok()) {
                        return;
                    }
                }
            } catch (TransportException | IOException e) {
                // not yet
            }
            if (!local.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IOException("bin/sdm local did not start: " + local.stderr().strip());
            }
            Thread.sleep(100);
        }
    }

    /**
     * kill -9 of {@code bin/sdm local}: its slaves see their supervisor gone and stop (a frozen
     * one once thawed); returns when they have.
     */
    void killMaster() throws InterruptedException {
        List<ProcessHandle> old = master.descendants(); // its slaves, one being started included
        master.kill();
        awaitGone(old);
    }

    boolean masterAlive() {
        return master.isAlive();
    }

    long masterPid() {
        return master.pid();
    }

    /** After {@code bin/sdm local} died on its own: its slaves stopped, then it is started again. */
    void replaceDeadMaster() throws Exception {
        awaitGone(slavePids().stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
        startMaster();
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
                report.violation("process " + h.pid() + " still ran 20 s after its bin/sdm local was killed");
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> h).join();
            }
        }
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
            long pid = Long.parseLong(Files.readString(data.resolve("slave-" + k).resolve(NodeFiles.PID)).strip());
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

    /** Black-holes the master's port now (every slave and the client are cut off), heals it after {@code ms}. */
    void partition(long ms) throws IOException {
        blackHole.open();
        healAt = System.currentTimeMillis() + ms;
    }

    boolean isPartitioned() {
        return blackHole.isOpen();
    }

    /** Ends the partition, if there is one. */
    void heal() {
        healAt = 0;
        blackHole.close();
    }

    void killSlave(long pid) {
        frozen.remove(pid);
        signal("KILL", pid);
    }

    /** Thaws each frozen slave when it is due, until interrupted. */
    void thawLoop() {
        try {
            while (true) {
                long now = System.currentTimeMillis();
                long heal = healAt;
                if (heal != 0 && heal <= now) {
                    heal();
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

    void thawAll() {
        heal();
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

    private static void signal(String signal, long pid) {
        try {
            ProcessTree.signal(signal, pid);
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every process of the run stopped, none of its slaves left. */
    void stop() {
        thawAll();
        List<SdmProcess> all;
        synchronized (processes) {
            all = List.copyOf(processes);
        }
        all.forEach(SdmProcess::close);
        // slaves outlive a killed bin/sdm local for a moment; none may outlive the run
        slavePids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
}
