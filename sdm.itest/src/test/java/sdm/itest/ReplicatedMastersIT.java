package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.ReplicaSet;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * Three replicated masters and two slaves as processes: the leader killed with SIGKILL, each of
 * the three in turn, right after an install was acknowledged. Within 5 s of each kill a new
 * leader serves every acknowledged program and both slaves are its nodes again, their programs
 * running all along; a killed master started again catches up as a follower.
 */
class ReplicatedMastersIT {

    @TempDir
    Path work;

    private ReplicaSet masters;
    private final List<SdmProcess> slaves = new ArrayList<>();

    @AfterEach
    void stop() {
        slaves.forEach(SdmProcess::close);
        if (masters != null) {
            masters.close();
        }
    }

    @Test
    void everyAcknowledgedInstallSurvivesTheLeadersKillAndANewLeaderServesWithin5s() throws Exception {
        try {
            killTheLeaderThreeTimes();
        } catch (Exception | AssertionError e) {
            masters.printLogs("s1", "s2");
            throw e;
        }
    }

    private void killTheLeaderThreeTimes() throws Exception {
        masters = new ReplicaSet(work, 3);
        masters.startAll();
        int leader = masters.leader(Duration.ofSeconds(90));
        String token = masters.joinToken(leader);
        for (String name : List.of("s1", "s2")) {
            // each knows one master only: the welcome gives it the others
            slaves.add(SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP),
                    masters.port(slaves.size()), token, name));
        }
        int first = leader;
        Waits.untilTrue("both slaves online", Duration.ofSeconds(90), () -> masters.admin(first).onlineCount() == 2);
        // counts its starts in sdm.store: each new leader starts it once more, from the stored count
        masters.admin(leader).installScript(work, "starts", """
                const starts = (sdm.store.get('starts') ?? 0) + 1;
                sdm.store.set('starts', starts);
                console.log('start ' + starts);
                """);
        List<String> installed = new ArrayList<>(List.of("starts"));
        List<Long> failovers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            String name = "p" + round;
            int current = leader;
            int started = round + 1;
            Waits.untilTrue("the count stored", Duration.ofSeconds(10),
                    () -> masters.admin(current).log("starts").contains("start " + started));
            Path zip = TestPrograms.pack(work, name, "1." + round + ".0", "x86_64", Map.of(), 0);
            masters.admin(leader).text("sdm:install", "--start", zip.toString());
            installed.add(name);
            // the others must be up (the one killed last round started again) for a majority after the kill
            for (int i = 0; i < masters.size(); i++) {
                if (i != leader) {
                    int m = i;
                    Waits.untilTrue("master " + (m + 1) + " holding " + name, Duration.ofSeconds(90),
                            () -> masters.bundles(m) == installed.size());
                }
            }
            masters.kill(leader);
            long killed = System.nanoTime();
            int next = masters.leader(Duration.ofSeconds(10));
            Waits.untilTrue("both slaves on the new leader", Duration.ofSeconds(10),
                    () -> masters.admin(next).onlineCount() == 2);
            failovers.add((System.nanoTime() - killed) / 1_000_000);
            assertThat(next).isNotEqualTo(leader);
            JsonNode apps = masters.admin(next).json("sdm:apps");
            List<String> names = new ArrayList<>();
            apps.forEach(a -> names.add(a.path("name").asText()));
            assertThat(names).as("programs on the new leader").containsExactlyInAnyOrderElementsOf(installed);
            for (String p : installed) {
                // on the slaves it never stopped; on the new leader its master part starts with the term
                Waits.untilTrue(p + " active on the new leader and the slaves", Duration.ofSeconds(10), () -> masters
                        .admin(next).states(masters.admin(next).app(p)).values().stream().allMatch("active"::equals));
            }
            int starts = round + 2;
            Waits.untilTrue("the store's count on the new leader", Duration.ofSeconds(10),
                    () -> masters.admin(next).log("starts").contains("start " + starts));
            masters.start(leader);
            leader = next;
        }
        System.out.println("leader killed to a new leader serving both slaves (ms): " + failovers);
        for (String name : List.of("s1", "s2")) {
            assertThat(Files.readString(work.resolve(name).resolve("masters")).strip()).as("the masters " + name + " keeps")
                    .isEqualTo(masters.list());
        }
        assertThat(failovers).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));
        int last = leader;
        for (int i = 0; i < masters.size(); i++) {
            int m = i;
            Waits.untilTrue("master " + (m + 1) + " caught up", Duration.ofSeconds(90),
                    () -> masters.bundles(m) == installed.size());
        }
        assertThat(masters.leader(Duration.ofSeconds(10))).isEqualTo(last);
    }

    /**
     * The leader frozen (SIGSTOP): as good as cut off from the others. They elect a new leader,
     * which takes an install; thawed, the old leader finds its lease run out, answers as a
     * follower, and catches up with the install it missed.
     */
    @Test
    void aFrozenLeaderIsReplacedAndThawedFollowsWithNothingLost() throws Exception {
        try {
            freezeTheLeader();
        } catch (Exception | AssertionError e) {
            masters.printLogs("s1", "s2");
            throw e;
        }
    }

    private void freezeTheLeader() throws Exception {
        masters = new ReplicaSet(work, 3);
        masters.startAll();
        int old = masters.leader(Duration.ofSeconds(90));
        masters.admin(old).text("sdm:install", TestPrograms.pack(work, "before", "1.0.0", "x86_64", Map.of(), 0)
                .toString());
        masters.signal(old, "STOP");
        try {
            int next = masters.leader(Duration.ofSeconds(10));
            assertThat(next).isNotEqualTo(old);
            masters.admin(next).text("sdm:install", TestPrograms.pack(work, "during", "1.0.0", "x86_64", Map.of(), 0)
                    .toString());
        } finally {
            masters.signal(old, "CONT");
        }
        Waits.untilTrue("the thawed master answering as a follower", Duration.ofSeconds(5),
                () -> "follower".equals(masters.answer(old)));
        Waits.untilTrue("the thawed master holding both programs", Duration.ofSeconds(30),
                () -> masters.bundles(old) == 2);
        int leader = masters.leader(Duration.ofSeconds(5));
        assertThat(leader).isNotEqualTo(old);
        List<String> names = new ArrayList<>();
        masters.admin(leader).json("sdm:apps").forEach(a -> names.add(a.path("name").asText()));
        assertThat(names).containsExactlyInAnyOrder("before", "during");
    }

    /**
     * A follower killed, 10,000 writes of a program's store and an install made without it, and
     * the follower started again: the leader's log no longer holds what it missed (snapshots
     * every 1,024 entries, the log purged up to each), so it catches up from a snapshot.
     */
    @Test
    void aFollowerAwayFor10000WritesCatchesUpFromASnapshot() throws Exception {
        try {
            awayFor10000Writes();
        } catch (Exception | AssertionError e) {
            masters.printLogs("s1", "s2");
            throw e;
        }
    }

    private void awayFor10000Writes() throws Exception {
        masters = new ReplicaSet(work, 3);
        masters.startAll();
        int leader = masters.leader(Duration.ofSeconds(90));
        int away = (leader + 1) % 3;
        masters.kill(away);
        masters.admin(leader).installScript(work, "writer", """
                let n = 0;
                function batch() {
                  for (let i = 0; i < 100; i++) { sdm.store.set('n', ++n); }
                  if (n < 10000) { sdm.after(1, batch); } else { console.log('wrote ' + n); }
                }
                batch();
                """);
        Waits.untilTrue("10,000 writes", Duration.ofSeconds(180),
                () -> masters.admin(leader).log("writer").contains("wrote 10000"));
        masters.admin(leader).text("sdm:install", TestPrograms.pack(work, "later", "1.0.0", "x86_64", Map.of(), 0)
                .toString());
        masters.start(away);
        Path store = masters.data(away).resolve("programs/private/writer/store.json");
        Waits.untilTrue("the follower holding the last write and the install", Duration.ofSeconds(60),
                () -> Files.exists(store) && Files.readString(store).contains("10000") && masters.bundles(away) == 2);
        assertThat(Files.readString(masters.data(away).resolve("log/sdm.0.log")))
                .contains("caught up from the leader's snapshot");
    }
}
