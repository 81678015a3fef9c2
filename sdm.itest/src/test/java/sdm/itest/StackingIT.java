package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * A machine stacked under another, as real processes: the child's master joins the parent as one
 * node of kind machine, with its labels and its slaves' counts, which follow its slaves; it is
 * offline at the parent once it dies, and back, with the key it enrolled and no token, once it is
 * started again. The parent places none of its programs on it.
 */
class StackingIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration EVERY = Duration.ofMillis(200);

    @TempDir
    Path work;
    private final List<SdmProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.reversed().forEach(SdmProcess::close);
    }

    private static JsonNode machineNode(AdminSession parent) throws Exception {
        return parent.nodes().stream().filter(n -> "machine".equals(n.path("kind").asText())).findFirst()
                .orElse(null);
    }

    @Test
    void aChildMachineIsOneNodeOfItsParentCountingItsSlaves() throws Exception {
        int parentPort = Ports.free();
        processes.add(SdmProcess.master(work, parentPort, "parent"));
        AdminSession parent = new AdminSession(work.resolve("parent"));
        int childPort = Ports.free();
        String[] toParent = {"--parent", "127.0.0.1:" + parentPort};
        SdmProcess child = SdmProcess.master(work, childPort, "child", Map.of(), toParent[0], toParent[1], "--token",
                SdmProcess.joinToken(work.resolve("parent")), "--label", "site=b");
        processes.add(child);
        SdmProcess leaf = SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP), childPort,
                SdmProcess.joinToken(work.resolve("child")), "leaf-1");
        processes.add(leaf);

        JsonNode machine = Waits.until("the child at its parent with its slave online", WAIT, EVERY,
                () -> machineNode(parent), n -> n != null && n.get("online").asBoolean()
                        && n.path("slavesOnline").asInt() == 1);
        assertThat(machine.get("slaves").asInt()).isEqualTo(1);
        assertThat(machine.get("labels").path("site").asText()).isEqualTo("b");
        assertThat(parent.text("sdm:nodes")).contains("machine (1/1 slaves online)");

        Path hello = TestPrograms.pack(work, "hello", "1.0.0", "x86_64", Map.of(), 0);
        parent.text("sdm:install", "--start", hello.toString());
        assertThat(parent.app("hello").get("selected").asInt()).as("nodes the parent placed hello on").isZero();

        leaf.kill();
        Waits.until("the child's slave offline in its counts at the parent", WAIT, EVERY,
                () -> machineNode(parent).path("slavesOnline").asInt(), n -> n == 0);
        assertThat(machineNode(parent).get("slaves").asInt()).isEqualTo(1);

        child.kill();
        Waits.until("the child offline at its parent", WAIT, EVERY,
                () -> machineNode(parent).get("online").asBoolean(), online -> !online);
        processes.add(SdmProcess.master(work, childPort, "child", Map.of(), toParent));
        Waits.until("the child back at its parent, without the token", WAIT, EVERY,
                () -> machineNode(parent).get("online").asBoolean(), online -> online);
        assertThat(parent.nodes()).as("the parent's nodes").hasSize(1);
    }
}
