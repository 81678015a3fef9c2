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

import sdm.archive.JamPacker;

import sdm.testkit.AdminSession;
import sdm.testkit.Gcc;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.Waits;

/**
 * {@code examples/census} on a master and three slave processes: timers, {@code sdm.call} on
 * three slaves with async/await, {@code sdm.nodes()}, {@code nodeDown}/{@code nodeUp} when a
 * slave is frozen and thawed, the {@code stop} event, and {@code sdm.store} across a stop and a
 * kill -9 of the master.
 */
class KernelExampleIT {

    private static final Map<String, String> SMALL_HEAP = Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP);

    @TempDir
    Path work;

    private final List<SdmProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (SdmProcess p : processes) {
            p.close();
        }
    }

    private SdmProcess master(int port) throws Exception {
        SdmProcess m = SdmProcess.master(work, port, "master");
        processes.add(m);
        return m;
    }

    /** The example as a newcomer builds it: gcc for the library, then the archive. */
    private Path census() throws Exception {
        Path src = SdmProcess.PROJECT.resolve("examples/census");
        Path dir = work.resolve("census");
        for (String f : List.of("MANIFEST.json", "js/main.js", "native/census.c")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        Gcc.sharedLibrary(dir.resolve("native/linux-x86_64/libcensus.so"),
                Files.readString(dir.resolve("native/census.c")), "-Wall");
        return JamPacker.pack(dir, work.resolve("census-1.0.0.jam.zip"));
    }

    private static String log(AdminSession admin) throws Exception {
        return admin.reply("sdm:log", "--lines", "1000", "census").output();
    }

    private static long slavePid(String name) throws Exception {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("--name " + name + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no process for " + name)).pid();
    }

    @Test
    void censusCountsTheSlavesSeesAFrozenOneGoAndKeepsItsStoreAcrossAMasterKill() throws Exception {
        int port = Ports.free();
        Path data = work.resolve("master");
        SdmProcess first = master(port);
        AdminSession admin = new AdminSession(data);
        String token = SdmProcess.joinToken(data);
        for (int k = 1; k <= 3; k++) {
            processes.add(SdmProcess.slave(work, SMALL_HEAP, port, token, "slave-" + k));
        }
        Waits.until("3 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 3);

        JsonNode installed = admin.json("sdm:install", "--start", census().toString());
        assertThat(admin.states(installed)).containsEntry("master", "active").containsEntry("slave-1", "active")
                .containsEntry("slave-2", "active").containsEntry("slave-3", "active");
        Waits.until("census run 1 with 3 answers", Duration.ofSeconds(30), Duration.ofMillis(100), () -> log(admin),
                l -> l.contains("census: run 1, 3 slaves known") && l.contains("3 of 3 online slaves answered"));

        long frozen = slavePid("slave-2");
        SdmProcess.signal("STOP", frozen);
        try {
            Waits.until("nodeDown for slave-2", Duration.ofSeconds(20), Duration.ofMillis(100), () -> log(admin),
                    l -> l.contains("census: node slave-2 down"));
            String afterDown = log(admin);
            Waits.until("a round with the 2 online slaves", Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> log(admin).substring(afterDown.length()), l -> l.contains("2 of 2 online slaves answered"));
        } finally {
            SdmProcess.signal("CONT", frozen);
        }
        Waits.until("nodeUp for slave-2", Duration.ofSeconds(20), Duration.ofMillis(100), () -> log(admin),
                l -> l.contains("census: node slave-2 up"));

        admin.json("sdm:stop", "census");
        Waits.until("the stop event", Duration.ofSeconds(10), Duration.ofMillis(100), () -> log(admin),
                l -> l.contains("census: stopping after round "));
        admin.json("sdm:start", "census");
        String restarted = Waits.until("census run 2 after sdm:start", Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> log(admin), l -> l.contains("census: run 2, 3 slaves known"));
        String between = restarted.substring(restarted.indexOf("census: stopping after round "),
                restarted.indexOf("census: run 2, "));
        assertThat(between).as("no round once stopped").doesNotContain("online slaves answered");

        long masterPid = first.pid();
        SdmProcess.signal("KILL", masterPid);
        Waits.until("the master gone", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        master(port);
        AdminSession again = new AdminSession(data);
        Waits.until("census run 3 after the master's restart, 3 answers", Duration.ofSeconds(60),
                Duration.ofMillis(200), () -> again.reply("sdm:log", "--lines", "1000", "census"),
                r -> r.ok() && r.output().contains("census: run 3, ")
                        && r.output().contains("3 of 3 online slaves answered"));
        assertThat(Files.readString(data.resolve("programs/private/census/store.json"))).contains("\"runs\":\"3\"");
    }
}
