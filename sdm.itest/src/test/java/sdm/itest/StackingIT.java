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
 * Machines stacked three deep, as real processes: a child's master joins its parent as one node of
 * kind machine, with its labels and the counts of every slave below it, which follow them; the
 * parent's {@code sdm:nodes --tree} shows every level, a machine gone as "offline"; a child is
 * offline at its parent once it dies, and back, with the key it enrolled and no token, once it is
 * started again. The parent places none of its programs on a machine.
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
    void childMachinesAreNodesOfTheirParentsCountingTheirSlavesAndShowingTheirTrees() throws Exception {
        int parentPort = Ports.free();
        processes.add(SdmProcess.master(work, parentPort, "parent"));
        AdminSession parent = new AdminSession(work.resolve("parent"));
        int childPort = Ports.free();
        String[] toParent = {"--parent", "127.0.0.1:" + parentPort};
        SdmProcess child = SdmProcess.master(work, childPort, "child", Map.of(), toParent[0], toParent[1], "--token",
                SdmProcess.joinToken(work.resolve("parent")), "--label", "site=b");
        processes.add(child);
        SdmProcess leaf = slave(childPort, "child", "leaf-1");
        int grandchildPort = Ports.free();
        SdmProcess grandchild = SdmProcess.master(work, grandchildPort, "grandchild", Map.of(), "--parent",
                "127.0.0.1:" + childPort, "--token", SdmProcess.joinToken(work.resolve("child")));
        processes.add(grandchild);
        slave(grandchildPort, "grandchild", "leaf-2");

        JsonNode machine = Waits.until("the child at its parent with both slaves below it online", WAIT, EVERY,
                () -> machineNode(parent), n -> n != null && n.get("online").asBoolean()
                        && n.path("slavesOnline").asInt() == 2);
        assertThat(machine.get("slaves").asInt()).isEqualTo(2);
        assertThat(machine.get("labels").path("site").asText()).isEqualTo("b");
        assertThat(parent.text("sdm:nodes")).contains("machine (2/2 slaves online)");
        JsonNode tree = parent.json("sdm:nodes", "--tree");
        assertThat(tree).hasSize(1);
        assertThat(names(tree.get(0).get("nodes"))).containsExactlyInAnyOrder("leaf-1",
                "machine@127.0.0.1:" + grandchildPort);
        JsonNode below = find(tree.get(0).get("nodes"), "machine@127.0.0.1:" + grandchildPort);
        assertThat(names(below.get("nodes"))).containsExactly("leaf-2");
        assertThat(parent.text("sdm:nodes", "--tree")).contains("leaf-1", "leaf-2", "2/2 slaves online");

        Path hello = TestPrograms.pack(work, "hello", "1.0.0", "x86_64", Map.of(), 0);
        parent.text("sdm:install", "--start", hello.toString());
        assertThat(parent.app("hello").get("selected").asInt()).as("nodes the parent placed hello on").isZero();

        leaf.kill();
        grandchild.kill();
        Waits.until("both slaves offline in the child's counts at the parent", WAIT, EVERY,
                () -> machineNode(parent).path("slavesOnline").asInt(), n -> n == 0);
        assertThat(machineNode(parent).get("slaves").asInt()).isEqualTo(2);
        JsonNode away = find(parent.json("sdm:nodes", "--tree").get(0).get("nodes"),
                "machine@127.0.0.1:" + grandchildPort);
        assertThat(away.get("online").asBoolean()).isFalse();
        assertThat(away.get("error").asText()).isEqualTo("offline");

        child.kill();
        Waits.until("the child offline at its parent", WAIT, EVERY,
                () -> machineNode(parent).get("online").asBoolean(), online -> !online);
        assertThat(parent.json("sdm:nodes", "--tree").get(0).get("error").asText()).isEqualTo("offline");
        processes.add(SdmProcess.master(work, childPort, "child", Map.of(), toParent));
        Waits.until("the child back at its parent, without the token", WAIT, EVERY,
                () -> machineNode(parent).get("online").asBoolean(), online -> online);
        assertThat(parent.nodes()).as("the parent's nodes").hasSize(1);
    }

    private SdmProcess slave(int masterPort, String master, String name) throws Exception {
        SdmProcess s = SdmProcess.slave(work, Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP), masterPort,
                SdmProcess.joinToken(work.resolve(master)), name);
        processes.add(s);
        return s;
    }

    private static List<String> names(JsonNode nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    private static JsonNode find(JsonNode nodes, String name) {
        for (JsonNode n : nodes) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + nodes);
    }
}
