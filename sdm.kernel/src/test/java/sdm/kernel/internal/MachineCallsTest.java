package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.NodeInfo;

class MachineCallsTest extends KernelCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void start() throws IOException {
        k = new TestKernel(folder);
    }

    @Test
    void selfNamesTheProgramItsVersionAndTheMastersNode() throws IOException {
        String answer = k.systemCalls().self();
        assertThat(answer).startsWith("ok:");
        assertThat(JSON.readTree(answer.substring(3)))
                .isEqualTo(JSON.readTree("{\"name\":\"demo\",\"version\":\"1.2.0\",\"node\":\"m-1\"}"));
    }

    @Test
    void masterGivesItsIdAddressReplicasAndUptimeOnly() {
        assertThat(k.systemCalls().master()).isEqualTo("ok:{\"id\":\"m-1\",\"address\":\"10.0.0.1:5555\","
                + "\"replicas\":[{\"id\":\"m2\",\"address\":\"10.0.0.2:5555\",\"role\":\"follower\",\"term\":3,"
                + "\"commitIndex\":41,\"appliedIndex\":40,\"lagMs\":0,\"lastContactMs\":12,\"online\":true}],"
                + "\"uptimeMs\":1234}");
    }

    @Test
    void nodesGivesEachNodeWithItsKindButNotItsVersion() {
        NodeInfo s = FakeMachine.node("s-1", "alpha", true);
        NodeInfo child = new NodeInfo("c-1", "machine@10.0.2.1:7700", NodeInfo.Role.MACHINE, "10.0.2.1", "linux",
                "x86_64", Map.of(), "0.1.0", true, 43, 1, 0, 1000, 998);
        k.machine.nodes = List.of(s, child);
        assertThat(k.systemCalls().nodes()).isEqualTo("ok:[{\"id\":\"s-1\",\"name\":\"alpha\",\"kind\":\"slave\","
                + "\"address\":\"10.0.1.9\",\"os\":\"linux\",\"arch\":\"x86_64\",\"labels\":{\"zone\":\"a\"},"
                + "\"online\":true,\"lastSeenMs\":42},{\"id\":\"c-1\",\"name\":\"machine@10.0.2.1:7700\","
                + "\"kind\":\"machine\",\"slaves\":1000,\"slavesOnline\":998,\"address\":\"10.0.2.1\","
                + "\"os\":\"linux\",\"arch\":\"x86_64\",\"labels\":{},\"online\":true,\"lastSeenMs\":43}]");
    }

    @Test
    void offlineGivesTheIdsOfTheSlavesThatAreOffline() {
        k.machine.nodes = List.of(FakeMachine.node("s-1", "alpha", true), FakeMachine.node("s-2", "beta", false));
        assertThat(k.systemCalls().offline()).isEqualTo("ok:[\"s-2\"]");
    }

    @Test
    void theProgramSeesItsMachineThroughTheSdmGlobal() {
        k.machine.nodes = List.of(FakeMachine.node("s-1", "alpha", true), FakeMachine.node("s-2", "beta", false));
        k.run("console.log(sdm.self().node, sdm.master().address, sdm.nodes().map(n => n.name).join(), sdm.offline());");
        assertThat(k.nextLog()).isEqualTo("m-1 10.0.0.1:5555 alpha,beta [\"s-2\"]");
    }

    @Test
    void aServiceThatFailsGivesAnErrorAnswerNotAnException() {
        SystemCalls calls = k.systemCalls();
        k.machine.failure = new IllegalStateException("no master yet");
        assertThat(calls.master()).isEqualTo("error:Error:the system call failed: IllegalStateException: no master yet");
        k.machine.failure = new UnsupportedOperationException();
        assertThat(calls.nodes()).isEqualTo("error:Error:the system call failed: UnsupportedOperationException");
    }

    @Test
    void theFailureOfAServiceReachesTheProgramAsAnError() {
        k.machine.failure = new IllegalStateException("no master yet");
        k.run(TestKernel.show("sdm.master()"));
        assertThat(k.nextLog()).isEqualTo("Error: the system call failed: IllegalStateException: no master yet");
    }

    @Test
    void anEndedProgramIsRefusedEverySystemCall() {
        JsProgram program = k.idle("programs.control");
        SystemCalls calls = new SystemCalls(program);
        program.fail("it had enough");
        String ended = "error:Error:program demo has ended";
        assertThat(List.of(calls.self(), calls.master(), calls.nodes(), calls.offline(),
                calls.call("f", "[]", "{}", null), calls.control("start", "other", "{}", null),
                calls.every(100, null), calls.after(100, null), calls.cancel(1), calls.log("line"),
                calls.storeGet("k"), calls.storeSet("k", "1"), calls.storeRemove("k"), calls.storeKeys()))
                .containsOnly(ended);
        assertThat(k.host.failures).containsExactly("demo: it had enough");
        assertThat(k.host.logs).isEmpty();
        assertThat(k.calls.made).isEmpty();
    }

    @Test
    void machineEventsReachTheProgramsHandlers() throws IOException {
        JsProgram program = k.run("sdm.on('nodeDown', n => console.log('down', n.id, n.online, n.labels.zone));"
                + "console.log('ready');");
        assertThat(k.nextLog()).isEqualTo("ready");
        program.emit("nodeDown", JSON.writeValueAsString(SystemCalls.node(FakeMachine.node("s-2", "beta", false))));
        assertThat(k.nextLog()).isEqualTo("down s-2 false a");
    }

    @Test
    void stopHandlersRunWhenTheProgramStops() {
        JsProgram program = k.run("sdm.on('stop', () => console.log('bye')); console.log('ready');");
        assertThat(k.nextLog()).isEqualTo("ready");
        program.stop();
        assertThat(k.nextLog()).isEqualTo("bye");
    }

    @Test
    void anUnknownEventIsATypeError() {
        k.run(TestKernel.show("sdm.on('nodeSideways', () => 1)"));
        assertThat(k.nextLog()).isEqualTo("TypeError: unknown event 'nodeSideways' (nodeUp, nodeDown, stop)");
    }
}
