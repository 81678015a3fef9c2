package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.Message;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * A master killed with SIGKILL in the middle of an install, a deploy-folder file removed while
 * it is down, and a restart: the machine converges with nothing acknowledged lost, nothing
 * half-written left, and the removed program never running on the master again. The slaves
 * run with a 64 MiB heap and receive a 100 MiB program.
 */
class MasterRestartIT {

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

    private static List<String> files(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .sorted().toList();
        }
    }

    /**
     * Commands sent the moment a master's endpoint is up, over several starts: each runs, or gets
     * one line saying the master is starting; none meets Gogo's "Command not found".
     */
    @Test
    void commandsSentAsAMasterStartsRunOrSayItIsStarting() throws Exception {
        int port = Ports.free();
        Path data = work.resolve("master");
        List<String> errors = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            SdmProcess m = master(port);
            AdminSession admin = new AdminSession(data);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Message.AdminReply>> replies = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String[] command = switch (i % 3) {
                        case 0 -> new String[] {"sdm:apps"};
                        case 1 -> new String[] {"sdm:nodes"};
                        default -> new String[] {"sdm:start", "--timeout", "1", "nothing"};
                    };
                    replies.add(pool.submit(() -> admin.reply(command)));
                }
                for (Future<Message.AdminReply> f : replies) {
                    Message.AdminReply r = f.get(60, TimeUnit.SECONDS);
                    if (!r.ok()) {
                        errors.add(r.error());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            m.close();
            processes.remove(m);
        }
        assertThat(errors).isNotEmpty().noneMatch(e -> e.contains("not found"))
                .allMatch(e -> e.contains("no program named 'nothing'") || e.contains("is starting")
                        || e.contains("not ready"));
    }

    @Test
    void aMasterKilledMidInstallRestartsAndTheMachineConverges() throws Exception {
        int port = Ports.free();
        Path data = work.resolve("master");
        master(port);
        AdminSession admin = new AdminSession(data);
        String token = SdmProcess.joinToken(data);
        for (int k = 1; k <= 2; k++) {
            processes.add(SdmProcess.slave(work, SMALL_HEAP, port, token, "slave-" + k));
        }
        Waits.until("2 slaves online", Duration.ofSeconds(60), Duration.ofMillis(200), admin::onlineCount,
                n -> n == 2);
        Map<String, String> allActive = Map.of("master", "active", "slave-1", "active", "slave-2", "active");

        Path acknowledged = TestPrograms.pack(work, "kept", "1.0.0", "x86_64", Map.of(), 0);
        assertThat(admin.states(admin.json("sdm:install", "--start", acknowledged.toString()))).isEqualTo(allActive);

        Path deployed = TestPrograms.pack(work, "gone", "1.0.0", "x86_64", Map.of(), 0);
        Path inDeploy = data.resolve("deploy/gone.jam.zip");
        Files.copy(deployed, inDeploy);
        Waits.until("gone active", Duration.ofSeconds(15), Duration.ofMillis(50), () -> admin.app("gone"),
                a -> a != null && admin.states(a).equals(allActive));

        Path big = TestPrograms.pack(work, "big", "1.0.0", "x86_64", Map.of(), 100L << 20);
        SdmProcess client = SdmProcess.start(work, Map.of(), "client", "--data", "master", "sdm:install", "--start",
                big.toString());
        processes.add(client);
        Waits.until("a slave fetching the big program", Duration.ofSeconds(120), Duration.ofMillis(20),
                () -> Files.readString(work.resolve("slave-1/log/sdm.0.log")), l -> l.contains("fetching big"));
        long masterPid = Long.parseLong(Files.readString(data.resolve(NodeFiles.PID)).strip());
        SdmProcess.signal("KILL", masterPid);
        Waits.until("the master to die", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);

        Files.delete(inDeploy);
        long restarted = System.currentTimeMillis();
        SdmProcess second = master(port);
        Waits.until("2 slaves online again", Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            try {
                return admin.onlineCount();
            } catch (Exception | AssertionError e) {
                return -1L; // the restarted master may refuse commands while it starts
            }
        }, n -> n == 2);
        JsonNode apps = Waits.until("kept and big active everywhere, gone uninstalled", Duration.ofSeconds(120),
                Duration.ofMillis(200), () -> admin.json("sdm:apps"),
                a -> a.size() == 2 && a.get(0).get("atDesired").asInt() == 2 && a.get(1).get("atDesired").asInt() == 2
                        && a.get(0).get("master").get("state").asText().equals("active")
                        && a.get(1).get("master").get("state").asText().equals("active"));
        System.out.println("master restart to converged (100 MiB to 2 slaves): "
                + (System.currentTimeMillis() - restarted) + " ms");
        assertThat(apps).extracting(a -> a.get("name").asText()).containsExactly("big", "kept");
        assertThat(admin.states(admin.app("kept"))).isEqualTo(allActive);

        String masterLog = Files.readString(data.resolve("log/sdm.0.log"));
        assertThat(masterLog).contains("gone.jam.zip left the deploy folder while the master was down");
        for (int k = 1; k <= 2; k++) {
            Path slave = work.resolve("slave-" + k);
            String sha = admin.app("big").get("sha256").asText();
            String kept = admin.app("kept").get("sha256").asText();
            Waits.until("slave-" + k + " to drop the program removed meanwhile", Duration.ofSeconds(10),
                    Duration.ofMillis(100), () -> files(slave.resolve("programs"), ".jar"),
                    jars -> jars.equals(List.of(sha + ".jar", kept + ".jar").stream().sorted().toList()));
            assertThat(files(slave.resolve("programs"), ".part")).isEmpty();
            String log = Files.readString(slave.resolve("log/sdm.0.log"));
            assertThat(log).contains("uninstalled gone");
            assertThat(log.split("fetching kept", -1)).as("a bundle the slave has is not sent again").hasSize(2);
        }
        assertThat(files(data.resolve("programs"), ".jar")).hasSize(2);
        assertThat(files(data.resolve("programs"), ".tmp")).isEmpty();
        assertThat(second.isAlive()).isTrue();
    }
}
