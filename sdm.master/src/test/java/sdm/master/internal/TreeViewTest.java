package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sdm.api.NodeInfo;
import sdm.api.NodeTree;

class TreeViewTest {

    private static NodeInfo node(String id, String name, boolean machine, boolean online, int slaves, int slavesOnline,
            Map<String, String> labels) {
        return new NodeInfo(id, name, machine ? NodeInfo.Role.MACHINE : NodeInfo.Role.SLAVE, "", "linux", "x86_64",
                labels, "", online, 0, 0, 0, slaves, slavesOnline);
    }

    @Test
    void eachLevelIsIndentedUnderItsMachineAndAMissingOneSaysWhy() {
        List<NodeTree> tree = List.of(
                new NodeTree(node("s1", "leaf-0", false, true, 0, 0, Map.of("zone", "a")), List.of(), null),
                new NodeTree(node("m1", "machine@h:7800", true, true, 2, 1, Map.of("site", "b")), List.of(
                        new NodeTree(node("s2", "leaf-1", false, true, 0, 0, Map.of()), List.of(), null),
                        new NodeTree(node("m2", "machine@h:7900", true, false, 1, 0, Map.of()), List.of(), "offline")),
                        null));
        assertThat(TreeView.text(tree)).isEqualTo("""
                ├─ leaf-0  s1  slave  online  linux/x86_64  zone=a
                └─ machine@h:7800  m1  machine  online  1/2 slaves online  site=b
                   ├─ leaf-1  s2  slave  online  linux/x86_64
                   └─ machine@h:7900  m2  machine  offline  0/1 slaves online  (its nodes: offline)
                """);
    }
}
