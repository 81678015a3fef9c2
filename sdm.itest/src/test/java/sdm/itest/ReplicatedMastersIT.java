package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.ReplicaSet;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * Three replicated masters as processes: the leader killed with SIGKILL, each of the three in
 * turn, right after an install was acknowledged. A new leader serves within 5 s of each kill
 * with every acknowledged program, and a killed master started again catches up as a follower.
 */
class ReplicatedMastersIT {

    @TempDir
    Path work;

    private ReplicaSet masters;

    @AfterEach
    void stop() {
        if (masters != null) {
            masters.close();
        }
    }

    @Test
    void everyAcknowledgedInstallSurvivesTheLeadersKillAndANewLeaderServesWithin5s() throws Exception {
        masters = new ReplicaSet(work, 3);
        masters.startAll();
        int leader = masters.leader(Duration.ofSeconds(90));
        List<String> installed = new ArrayList<>();
        List<Long> failovers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            String name = "p" + round;
            Path zip = TestPrograms.pack(work, name, "1." + round + ".0", "x86_64", Map.of(), 0);
            masters.admin(leader).text("sdm:install", zip.toString());
            installed.add(name);
            // the others must be up (the one killed last round started again) for a majority after the kill
            for (int i = 0; i < masters.size(); i++) {
                if (i != leader) {
                    int m = i;
                    Waits.untilTrue("master " + (m + 1) + " holding " + name, Duration.ofSeconds(90),
                            () -> bundles(masters.data(m)) == installed.size());
                }
            }
            masters.kill(leader);
            long killed = System.nanoTime();
            int next = masters.leader(Duration.ofSeconds(10));
            failovers.add((System.nanoTime() - killed) / 1_000_000);
            assertThat(next).isNotEqualTo(leader);
            JsonNode apps = masters.admin(next).json("sdm:apps");
            List<String> names = new ArrayList<>();
            apps.forEach(a -> names.add(a.path("name").asText()));
            assertThat(names).as("programs on the new leader").containsExactlyInAnyOrderElementsOf(installed);
            masters.start(leader);
            leader = next;
        }
        System.out.println("leader killed to a new leader serving (ms): " + failovers);
        assertThat(failovers).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));
        int last = leader;
        for (int i = 0; i < masters.size(); i++) {
            int m = i;
            Waits.untilTrue("master " + (m + 1) + " caught up", Duration.ofSeconds(90),
                    () -> bundles(masters.data(m)) == installed.size());
        }
        assertThat(masters.leader(Duration.ofSeconds(10))).isEqualTo(last);
    }

    private static long bundles(Path data) throws Exception {
        Path dir = data.resolve("programs/bundles");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).count();
        }
    }
}
