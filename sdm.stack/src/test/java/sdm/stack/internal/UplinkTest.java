package sdm.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sdm.api.NodeInfo;
import sdm.transport.zmq.StackMessages;

class UplinkTest {

    private static NodeInfo node(NodeInfo.Role role, boolean online, int slaves, int slavesOnline) {
        return new NodeInfo("n", "n", role, "", "linux", "x86_64", Map.of(), "", online, 0, 0, 0, slaves,
                slavesOnline);
    }

    @Test
    void aMachineCountsItsSlavesAndThoseOfItsChildMachinesOnlineOnlyWhileTheChildIs() {
        assertThat(Uplink.counts(List.of(
                node(NodeInfo.Role.SLAVE, true, 0, 0),
                node(NodeInfo.Role.SLAVE, false, 0, 0),
                node(NodeInfo.Role.MACHINE, true, 10, 7),
                node(NodeInfo.Role.MACHINE, false, 5, 5))))
                .isEqualTo(new StackMessages.MachineCounts(17, 8));
    }
}
