package sdm.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import sdm.api.node.NodeFiles;
import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.transport.zmq.TransportException;

/**
 * {@code bin/sdm local --slaves N} on one port and data folder for the whole run: its master
 * killed and started again, its slaves killed (it starts them again) and frozen, and its
 * master's port black-holed ({@link BlackHole}). Of every ten faults, two master kills, three
 * freezes, three slave kills and two partitions (without iptables, freezes instead).
 */
final class OneMasterMachine extends ChaosMachine {

    private final Path data;
    private final int port = Ports.free();
    private final List<SdmProcess> processes = new ArrayList<>();
    private final BlackHole blackHole = new BlackHole(port);
    private final boolean partitions = BlackHole.available();
    /** When the partition is due to heal, 0 if there is none. */
    private volatile long healAt;
    private volatile SdmProcess master;

    OneMasterMachine(Chaos.Settings settings, ChaosReport report) {
        super(settings, report);
        this.data = settings.work().resolve("sdm-data");
        if (!partitions) {
            report.say("no iptables here (or not root): no partitions");
        }
    }

    @Override
    void start() throws Exception {
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

    @Override
    List<String> bagOfTen() {
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            kinds.add(i < 2 ? "master-kill" : i < 4 ? (partitions ? "partition" : "freeze")
                    : i < 7 ? "freeze" : "slave-kill");
        }
        return kinds;
    }

    @Override
    String inject(int n, Random random, ChaosClient client) throws Exception {
        String kind = nextKind(random);
        if (kind.equals("master-kill") || slavePids().isEmpty()) {
            if (blackHole.isOpen()) {
                heal(); // a restarted master must answer the client at once
            }
            report.say("fault " + n + ": kill -9 the master (" + master.pid() + ") and restart it");
            restartMaster(client);
            return "master-kill";
        }
        if (kind.equals("partition") && !blackHole.isOpen()) {
            long ms = faultMs(random);
            report.say(String.format(Locale.ROOT, "fault %d: black-hole the master's port for %.1f s", n, ms / 1000.0));
            blackHole.open();
            healAt = System.currentTimeMillis() + ms;
            return "partition";
        }
        return slaveFault(n, kind.equals("partition") ? "freeze" : kind, random);
    }

    /**
     * kill -9 of {@code bin/sdm local}, then a new one on the same port and data folder: nothing
     * acknowledged may be missing after it. The client waits while the master's answer is
     * compared, and sends nothing to the new master before.
     */
    private void restartMaster(ChaosClient client) throws Exception {
        client.masterUp = false;
        List<ProcessHandle> old = master.descendants(); // its slaves, one being started included
        master.kill();
        awaitGone(old);
        start();
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

    @Override
    boolean mastersAlive() {
        return master.isAlive();
    }

    /** After {@code bin/sdm local} died on its own: its slaves stopped, then it is started again. */
    @Override
    void replaceDeadMasters() throws Exception {
        awaitGone(slavePids().stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
        start();
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

    @Override
    Path slaveData(int k) {
        return data.resolve("slave-" + k);
    }

    @Override
    void healMasters() {
        heal();
    }

    private void heal() {
        healAt = 0;
        blackHole.close();
    }

    @Override
    void due(long now) {
        long heal = healAt;
        if (heal != 0 && heal <= now) {
            heal();
        }
    }

    @Override
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
