package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.testkit.ProcessBlackHole;
import sdm.testkit.ReplicaSet;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * The leader black-holed (iptables, every TCP socket it has or opens) while the other
 * two masters and both slaves keep theirs: it stops serving before the others have a new
 * leader, the majority elects one that takes an install and both slaves, and once healed the
 * old leader answers as a follower and holds everything acknowledged on either side of the cut.
 */
class LeaderCutOffIT {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

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
    void theCutLeaderStepsDownTheMajorityElectsAndTheHealedOneFollows() throws Exception {
        assertThat(ProcessBlackHole.available()).as("iptables as root and cgroup v2 (.ci/run installs iptables)")
                .isTrue();
        masters = new ReplicaSet(work, 3);
        try {
            cutTheLeaderOff();
        } catch (Exception | AssertionError e) {
            masters.printLogs("s1", "s2");
            throw e;
        }
    }

    private void cutTheLeaderOff() throws Exception {
        masters.startAll();
        int old = masters.leader(Duration.ofSeconds(90));
        String token = masters.joinToken(old);
        for (String name : List.of("s1", "s2")) {
            slaves.add(SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP), masters.port(old), token,
                    name));
        }
        Waits.untilTrue("both slaves online", Duration.ofSeconds(90), () -> masters.admin(old).onlineCount() == 2);
        masters.admin(old).text("sdm:install", "--start",
                TestPrograms.pack(work, "before", "1.0.0", "x86_64", Map.of(), 0).toString());

        int next;
        try (ProcessBlackHole cut = new ProcessBlackHole(masters.process(old).pid())) {
            LocalDateTime opening = LocalDateTime.now();
            cut.open();
            System.out.println("the cut opened from " + opening + " to " + LocalDateTime.now());
            next = masters.leader(Duration.ofSeconds(15));
            assertThat(next).as("the new leader").isNotEqualTo(old);
            int leader = next;
            masters.admin(next).text("sdm:install", "--start",
                    TestPrograms.pack(work, "during", "1.0.0", "x86_64", Map.of(), 0).toString());
            Waits.untilTrue("both slaves on the new leader", Duration.ofSeconds(15),
                    () -> masters.admin(leader).onlineCount() == 2);
            Waits.untilTrue("both programs active on the slaves", Duration.ofSeconds(30), () -> activeEverywhere(leader, "before") && activeEverywhere(leader, "during"));
        }

        Waits.untilTrue("the healed master answering as a follower", Duration.ofSeconds(15),
                () -> "follower".equals(masters.answer(old)));
        Waits.untilTrue("the healed master holding both programs", Duration.ofSeconds(30),
                () -> masters.bundles(old) == 2);
        assertThat(masters.leader(Duration.ofSeconds(5))).isEqualTo(next);
        List<String> names = new ArrayList<>();
        masters.admin(next).json("sdm:apps").forEach(a -> names.add(a.path("name").asText()));
        assertThat(names).containsExactlyInAnyOrder("before", "during");

        LocalDateTime paused = logged(old, "lapsed: this master acts on nothing");
        LocalDateTime elected = logged(next, "leads (term");
        System.out.println("the cut leader acted on nothing from " + paused + ", the new one leads from " + elected);
        assertThat(paused).as("the old leader stops acting before the new one leads").isBefore(elected);
        logged(old, "stopped serving: it does not lead now");
    }

    private boolean activeEverywhere(int leader, String program) throws Exception {
        var states = masters.admin(leader).states(masters.admin(leader).app(program));
        return states.size() == 3 && states.values().stream().allMatch("active"::equals);
    }

    /** When master {@code i} last logged a line containing {@code text}. */
    private LocalDateTime logged(int i, String text) throws Exception {
        List<String> lines = Files.readAllLines(masters.data(i).resolve("log/sdm.0.log"));
        return lines.reversed().stream().filter(l -> l.contains(text)).findFirst()
                .map(l -> LocalDateTime.parse(l.substring(0, 23), LOG_TIME))
                .orElseThrow(() -> new AssertionError("master " + (i + 1) + " never logged \"" + text + "\""));
    }
}
