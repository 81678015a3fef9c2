package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.transport.zmq.Message;

class NativeCallsTest {

    @TempDir
    Path root;
    NativeFixture n;
    Path gate;

    @BeforeEach
    void load() throws Exception {
        n = new NativeFixture(root);
        n.loadTestLibrary();
        gate = root.resolve("gate");
    }

    @AfterEach
    void close() throws Exception {
        Files.writeString(gate, "open");
        n.close();
    }

    private static Object value(Message.CallResult r) {
        assertThat(r.error()).isEmpty();
        assertThat(r.ok()).isTrue();
        return r.value();
    }

    private static String error(Message.CallResult r) {
        assertThat(r.ok()).isFalse();
        assertThat(r.value()).isNull();
        return r.error();
    }

    /** Blocks {@code count} call threads in the library, and waits until they are in it. */
    private List<String> blockCallThreads(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(n.send("wait_for", gate.toString()));
        }
        NativeFixture.await(count + " calls in native code", () -> n.marksNow().size() == count);
        return ids;
    }

    @Test
    void eachDeclaredTypeCrossesTheBoundary() {
        assertThat(value(n.call("add", 2, 3))).isEqualTo(5);
        assertThat(value(n.call("twice", 5_000_000_000L))).isEqualTo(10_000_000_000L);
        assertThat(value(n.call("half", 3.0))).isEqualTo(1.5);
        assertThat(value(n.call("flip", true))).isEqualTo(false);
        assertThat(value(n.call("echo", "héllo wörld"))).isEqualTo("héllo wörld");
        assertThat(value(n.call("nothing"))).isNull();
        assertThat(value(n.call("tick"))).isNull();
        assertThat(value(n.call("ticks_so_far"))).isEqualTo(1);
    }

    @Test
    void argumentsAreConvertedByTheirDeclaredTypes() {
        assertThat(value(n.call("add", "40", 2.0))).isEqualTo(42);
        assertThat(value(n.call("flip", "false"))).isEqualTo(true);
        assertThat(value(n.call("half", "1e1"))).isEqualTo(5.0);
    }

    @Test
    void anArgumentOfAnotherTypeIsRefusedByItsPosition() {
        assertThat(error(n.call("add", 1, "x"))).isEqualTo("argument 2 of add(int, int): 'x' is not an int");
        assertThat(error(n.call("add", 1, 2.5))).isEqualTo("argument 2 of add(int, int): 2.5 is not an int");
        assertThat(error(n.call("echo", 7))).isEqualTo("argument 1 of echo(string): 7 is not a string");
        assertThat(value(n.call("ticks_so_far"))).as("nothing was run").isEqualTo(0);
    }

    @Test
    void aWrongNumberOfArgumentsIsRefused() {
        assertThat(error(n.call("add", 1))).isEqualTo("add(int, int) takes 2 arguments, got 1");
    }

    @Test
    void anUnknownFunctionIsRefused() {
        assertThat(error(n.call("nope"))).isEqualTo("program demo has no function 'nope'");
    }

    @Test
    void aProgramWithoutALibraryIsNotActive() {
        n.natives.unload(NativeFixture.PROGRAM);
        assertThat(error(n.call("add", 1, 2))).isEqualTo("program demo is not active on this node");
    }

    @Test
    void aReturnedStringWithoutItsEndIsRefused() {
        assertThat(error(n.call("huge"))).isEqualTo("huge() failed: the returned string is over 65536 bytes");
    }

    @Test
    void aCallIsMarkedInItsThreadsSlotWhileInNativeCode() {
        String id = n.send("wait_for", gate.toString());
        NativeFixture.await("the call in native code", () -> !n.marksNow().isEmpty());
        assertThat(n.marksNow()).containsExactly(new CrashMarks.Mark(0, NativeFixture.PROGRAM, "wait_for"));
        open();
        Message.CallResult r = n.nextResult();
        assertThat(r.callId()).isEqualTo(id);
        assertThat(value(r)).isEqualTo(true);
        assertThat(n.marksNow()).isEmpty();
    }

    @Test
    void callsOverlapEachInASlotOfItsOwn() {
        blockCallThreads(8);
        assertThat(n.marksNow()).extracting(CrashMarks.Mark::slot).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        open();
        for (int i = 0; i < 8; i++) {
            assertThat(value(n.nextResult())).isEqualTo(true);
        }
    }

    @Test
    void aCallThatWaitedPastItsTimeToLiveIsNotRun() {
        List<String> blocked = blockCallThreads(8);
        long sent = System.nanoTime();
        String late = n.send(1, "tick");
        NativeFixture.await("its time to live to pass", () -> System.nanoTime() - sent > 2_000_000);
        open();
        List<Message.CallResult> results = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            results.add(n.nextResult());
        }
        assertThat(results).filteredOn(r -> blocked.contains(r.callId())).hasSize(8).allMatch(Message.CallResult::ok);
        assertThat(results).filteredOn(r -> r.callId().equals(late)).singleElement()
                .extracting(NativeCallsTest::error).isEqualTo("expired after waiting 1 ms on the node; not run");
        assertThat(value(n.call("ticks_so_far"))).isEqualTo(0);
    }

    @Test
    void pastTenThousandWaitingCallsTheNodeIsBusy() {
        blockCallThreads(8);
        for (int i = 0; i < 10_000; i++) {
            n.send(1, "tick");
        }
        assertThat(n.sent).isEmpty();
        n.send("tick");
        assertThat(error(n.nextResult())).isEqualTo("the node is busy: 10000 calls waiting");
        open();
        for (int i = 0; i < 10_008; i++) {
            n.nextResult();
        }
        assertThat(value(n.call("add", 1, 1))).as("taken again").isEqualTo(2);
    }

    @Test
    void aStoppedNodeRefusesCalls() throws Exception {
        n.close();
        n.send("tick");
        assertThat(error(n.nextResult())).isEqualTo("the node is stopping");
    }

    private void open() {
        try {
            Files.writeString(gate, "open");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
