package sdm.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import sdm.testkit.AdminSession;
import sdm.testkit.ProcessBlackHole;
import sdm.testkit.ReplicaSet;
import sdm.testkit.SdmProcess;

/**
 * Replicated masters ({@code bin/sdm master --replicas}) and slaves that know all of them, each
 * a process of its own: a master is killed (and started again later), frozen, or cut off from
 * every peer ({@link ProcessBlackHole}), the leader half of the time; a slave is frozen or killed
 * (and started again 1-5 s later). One master at most is hurt at a time, so that a majority is
 * always there to elect: the next master fault ends the last one first. Of every ten faults, two
 * of each kind on masters (cuts only with iptables, freezes instead) and two of each on slaves.
 */
final class ReplicatedMachine extends ChaosMachine {

    private final ReplicaSet masters;
    private final SdmProcess[] slaves;
    private final boolean cuts = ProcessBlackHole.available();
    /** Slaves killed, by number, and when each is due to start again. */
    private final Map<Integer, Long> slaveRestarts = new ConcurrentHashMap<>();
    private String token;

    /** The master fault in force: which master, what, and when it ends (0: none). */
    private int hurt = -1;
    private String hurtKind;
    private long hurtUntil;
    private ProcessBlackHole cut;

    ReplicatedMachine(Chaos.Settings settings, ChaosReport report) {
        super(settings, report);
        this.masters = new ReplicaSet(settings.work(), settings.masters());
        this.slaves = new SdmProcess[settings.slaves()];
        if (!cuts) {
            report.say("no iptables here (or not root): masters are frozen, not cut off");
        }
    }

    @Override
    void start() throws Exception {
        masters.startAll();
        int leader = masters.leader(Duration.ofSeconds(90));
        token = masters.joinToken(leader);
        admin = new AdminSession(masters.data(leader), masters.list());
        for (int k = 1; k <= slaves.length; k++) {
            startSlave(k);
        }
        report.say(masters.size() + " masters at " + masters.list() + ", master " + (leader + 1) + " leads");
    }

    private void startSlave(int k) throws IOException {
        slaves[k - 1] = SdmProcess.slave(settings.work(), Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP),
                masters.list(), token, slaveData(k).getFileName().toString());
    }

    @Override
    List<String> bagOfTen() {
        return List.of("master-kill", "master-kill", "master-freeze", "master-freeze",
                cuts ? "master-cut" : "master-freeze", cuts ? "master-cut" : "master-freeze",
                "freeze", "freeze", "slave-kill", "slave-kill");
    }

    @Override
    String inject(int n, Random random, ChaosClient client) throws Exception {
        String kind = nextKind(random);
        if (!kind.startsWith("master-")) {
            String done = slaveFault(n, kind, random);
            return done != null ? done : masterFault(n, "master-freeze", random);
        }
        return masterFault(n, kind, random);
    }

    private synchronized String masterFault(int n, String kind, Random random) throws Exception {
        endMasterFault();
        int target = random.nextBoolean() ? leaderOrAny(random) : random.nextInt(masters.size());
        long ms = faultMs(random);
        String role = "master " + (target + 1) + " (pid " + masters.process(target).pid() + ")";
        switch (kind) {
            case "master-kill" -> {
                report.say(String.format(Locale.ROOT, "fault %d: kill -9 %s, started again in %.1f s", n, role,
                        ms / 1000.0));
                masters.kill(target);
            }
            case "master-freeze" -> {
                report.say(String.format(Locale.ROOT, "fault %d: SIGSTOP %s for %.1f s", n, role, ms / 1000.0));
                masters.signal(target, "STOP");
            }
            default -> {
                report.say(String.format(Locale.ROOT, "fault %d: cut %s off for %.1f s", n, role, ms / 1000.0));
                cut = new ProcessBlackHole(masters.process(target).pid());
                cut.open();
            }
        }
        hurt = target;
        hurtKind = kind;
        hurtUntil = System.currentTimeMillis() + ms;
        return kind;
    }

    private int leaderOrAny(Random random) {
        try {
            return masters.leader(Duration.ofSeconds(3));
        } catch (Exception e) {
            return random.nextInt(masters.size()); // an election: any will do
        }
    }

    /** Ends the master fault in force, if any: the master is started again, thawed or reconnected. */
    private synchronized void endMasterFault() throws Exception {
        if (hurt < 0) {
            return;
        }
        switch (hurtKind) {
            case "master-kill" -> masters.start(hurt);
            case "master-freeze" -> masters.signal(hurt, "CONT");
            default -> cut.close();
        }
        hurt = -1;
        cut = null;
    }

    @Override
    void killSlave(long pid) {
        super.killSlave(pid);
        for (int k = 1; k <= slaves.length; k++) {
            if (slaves[k - 1] != null && slaves[k - 1].pid() == pid || slavePid(k).orElse(-1L) == pid) {
                slaveRestarts.put(k, System.currentTimeMillis() + 1_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(4_000));
            }
        }
    }

    @Override
    synchronized void due(long now) throws Exception {
        if (hurt >= 0 && hurtUntil <= now) {
            endMasterFault();
        }
        for (Map.Entry<Integer, Long> e : slaveRestarts.entrySet()) {
            if (e.getValue() <= now && slaveRestarts.remove(e.getKey(), e.getValue())) {
                reap(e.getKey());
                startSlave(e.getKey());
            }
        }
    }

    /** A killed slave's process may take a moment to end; a new one must not share its folder with it. */
    private void reap(int k) throws InterruptedException {
        SdmProcess old = slaves[k - 1];
        if (old != null) {
            old.kill();
        }
    }

    @Override
    synchronized void healMasters() {
        try {
            endMasterFault();
            for (Integer k : List.copyOf(slaveRestarts.keySet())) {
                slaveRestarts.remove(k);
                reap(k);
                startSlave(k);
            }
        } catch (Exception e) {
            report.violation("could not heal the machine: " + e);
        }
    }

    @Override
    synchronized boolean mastersAlive() {
        for (int i = 0; i < masters.size(); i++) {
            if (!(i == hurt && hurtKind.equals("master-kill")) && !masters.process(i).isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    synchronized void replaceDeadMasters() throws Exception {
        for (int i = 0; i < masters.size(); i++) {
            if (!(i == hurt && hurtKind.equals("master-kill")) && !masters.process(i).isAlive()) {
                masters.start(i);
            }
        }
    }

    @Override
    Path slaveData(int k) {
        return settings.work().resolve("slave-" + k);
    }

    @Override
    void stop() {
        thawAll();
        for (SdmProcess s : slaves) {
            if (s != null) {
                s.close();
            }
        }
        masters.close();
    }
}
