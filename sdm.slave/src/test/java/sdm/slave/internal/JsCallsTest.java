package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.transport.zmq.Message;

/** A real library calling the program's exports through {@code sdm_js_api.call}. */
class JsCallsTest {

    @TempDir
    Path root;
    JsFixture f;

    @BeforeEach
    void load() throws Exception {
        f = new JsFixture(root);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    /** {@code call} on a thread of the library's own: {@code CODE|OUT|intact}. */
    private String onThread(String function, String args, int cap, int timeoutMs) {
        return (String) f.run("call_on_thread", function, args, cap, timeoutMs);
    }

    private String onThread(String function, String args) {
        return onThread(function, args, 256, 10_000);
    }

    @Test
    void theLibraryIsGivenTheTableOfVersionOne() {
        assertThat(f.run("table_version")).isEqualTo(JsTable.VERSION);
    }

    @Test
    void eachReturnTypeComesBackAsItsJson() {
        assertThat(onThread("add", "[2, 3]")).isEqualTo("0|5|intact");
        assertThat(onThread("big", "[]")).isEqualTo("0|5000000000|intact");
        assertThat(onThread("ratio", "[0.5]")).isEqualTo("0|0.25|intact");
        assertThat(onThread("yes", "[]")).isEqualTo("0|true|intact");
        assertThat(onThread("greet", "[\"wörld\"]")).isEqualTo("0|\"héllo wörld\"|intact");
        assertThat(onThread("nothing", "[]")).isEqualTo("0|null|intact");
        assertThat(f.counter(JsCounters.Kind.CALLS_MADE)).isEqualTo(6);
    }

    @Test
    void theMasterIsAskedWithTheArgumentsOfTheDeclaredTypes() throws Exception {
        onThread("add", "[2, 3.0]", 64, 1_234);
        Message.ExportCall c = f.master.calls.poll(10, TimeUnit.SECONDS);
        assertThat(c).isNotNull();
        assertThat(c.program()).isEqualTo(NativeFixture.PROGRAM);
        assertThat(c.function()).isEqualTo("add");
        assertThat(c.args()).containsExactly(2, 3);
        assertThat(c.timeoutMs()).isEqualTo(1_234);
    }

    @Test
    void anErrorOfTheMasterReachesTheCallerInOneLine() {
        assertThat(onThread("fails", "[]")).isEqualTo("-6|fails() threw: boom|intact");
    }

    @Test
    void badArgumentsAreRefusedWithoutAskingTheMaster() {
        assertThat(onThread("add", "[1]")).isEqualTo("-4|add(int, int) takes 2 arguments, got 1|intact");
        assertThat(onThread("add", "[1, \"x\"]")).isEqualTo("-4|argument 2 of add(int, int): 'x' is not an int|intact");
        assertThat(onThread("add", "[1, null]")).isEqualTo("-4|argument 2 of add(int, int): null is not an int|intact");
        assertThat(onThread("add", "{\"a\": 1}")).isEqualTo("-4|args_json is not a JSON array|intact");
        assertThat(onThread("add", "[[1], 2]"))
                .isEqualTo("-4|argument 1 is not a number, a boolean, a string or null|intact");
        assertThat(onThread("add", "[1, 2")).startsWith("-4|args_json is not valid JSON: ");
        assertThat(onThread("add", "[1, 2] 3")).isEqualTo("-4|args_json has more text after its array|intact");
        assertThat(onThread("add", "[" + "1, ".repeat(64) + "1]")).isEqualTo("-4|args_json holds over 64 arguments|intact");
        assertThat(f.master.calls).isEmpty();
        assertThat(f.counter(JsCounters.Kind.CALLS_REFUSED)).isEqualTo(8);
        assertThat(f.counter(JsCounters.Kind.CALLS_MADE)).isZero();
    }

    @Test
    void aFunctionTheProgramDoesNotExportIsRefused() {
        assertThat(onThread("nope", "[]")).isEqualTo("-3|program demo exports no function 'nope' (master.exports)|intact");
        assertThat(onThread("table_version", "[]")).as("a native function is no export").startsWith("-3|");
        assertThat(f.master.calls).isEmpty();
    }

    @Test
    void nullPointersACapOfZeroAndTimeoutsOutOfRangeAreInvalid() {
        String needs = "call() needs a function, args_json and an out buffer of a cap over 0";
        assertThat(onThread("NULL", "[]")).isEqualTo("-10|" + needs + "|intact");
        assertThat(onThread("add", "NULL")).isEqualTo("-10|" + needs + "|intact");
        assertThat(onThread("add", "[1, 2]", 0, 1_000)).as("nothing written into a cap of 0").isEqualTo("-10||intact");
        assertThat(onThread("add", "[1, 2]", -1, 1_000)).as("a NULL out").isEqualTo("-10||intact");
        assertThat(onThread("add", "[1, 2]", 256, 0)).isEqualTo("-10|timeout_ms 0 is not within 1 to 86400000|intact");
        assertThat(onThread("add", "[1, 2]", 256, 86_400_001))
                .isEqualTo("-10|timeout_ms 86400001 is not within 1 to 86400000|intact");
        assertThat(onThread("add", "[1, 2]", 256, 86_400_000)).isEqualTo("0|3|intact");
    }

    @Test
    void aCallInsideAFunctionSdmCalledIsRefused() {
        assertThat((String) f.run("call_here", "add", "[1, 2]", 256, 1_000))
                .isEqualTo("-9|call() from inside a function SDM called would block it: use post(), or a thread of your own"
                        + "|intact");
        assertThat(f.master.calls).isEmpty();
    }

    @Test
    void withoutTheMasterACallIsRefusedAtOnce() {
        f.js.onDisconnected();
        assertThat(onThread("add", "[1, 2]", 256, 60_000)).isEqualTo("-1|the master is not connected|intact");
        assertThat(f.master.calls).isEmpty();
    }

    @Test
    void aResultThatDoesNotFitItsCapIsTooBigAndTheReasonIsCutToTheCap() {
        // "héllo a" is 10 bytes of JSON with its quotes: 11 with the NUL
        assertThat(onThread("greet", "[\"a\"]", 11, 1_000)).isEqualTo("0|\"héllo a\"|intact");
        assertThat(onThread("greet", "[\"a\"]", 10, 1_000)).isEqualTo("-7|the resul|intact");
        assertThat(onThread("greet", "[\"" + "x".repeat(300) + "\"]", 256, 1_000))
                .isEqualTo("-7|the result is 309 bytes of JSON, 310 with its NUL: over cap 256|intact");
    }

    @Test
    void aCallWithoutAnAnswerTimesOut() {
        long start = System.nanoTime();
        assertThat(onThread("slow", "[]", 256, 300)).isEqualTo("-2|no answer from slow() within 300 ms|intact");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(f.js.waitingCalls()).isZero();
    }

    @Test
    void losingTheMasterEndsTheWaitingCalls() {
        f.master.answering = false;
        String id = f.n.send("call_on_thread", "add", "[1, 2]", 256, 60_000);
        NativeFixture.await("the call to wait", () -> f.js.waitingCalls() == 1);
        f.js.onDisconnected();
        Message.CallResult r = f.n.nextResult();
        assertThat(r.callId()).isEqualTo(id);
        assertThat(r.value()).isEqualTo("-1|the master is not connected|intact");
    }

    @Test
    void eightThreadsCallAtOnceAndEachGetsItsOwnAnswer() throws Exception {
        f.master.answering = false;
        f.n.send("call_on_threads", 8);
        List<Message.ExportCall> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Message.ExportCall c = f.master.calls.poll(10, TimeUnit.SECONDS);
            assertThat(c).as("call %d", i).isNotNull();
            calls.add(c);
        }
        assertThat(f.js.waitingCalls()).as("all eight wait together").isEqualTo(8);
        assertThat(calls).extracting(Message.ExportCall::callId).doesNotHaveDuplicates();
        for (Message.ExportCall c : calls.reversed()) {
            f.js.onResult(FakeMaster.answer(c));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            expected.add("0|" + (i + 100) + "|intact");
        }
        assertThat(f.n.nextResult().value()).isEqualTo(String.join(";", expected));
    }

    @Test
    void aResultOfNoWaitingCallIsIgnored() {
        f.js.onResult(new Message.ExportResult("x-nobody", 0, 1, ""));
        assertThat(onThread("add", "[1, 2]")).isEqualTo("0|3|intact");
    }

    @Test
    void unloadingReleasesThreadsInsideCallAndTheLibraryLeavesTheProcess() throws Exception {
        f.master.answering = false;
        Path left = root.resolve("callers-left");
        f.run("start_callers", 4, left.toString());
        NativeFixture.await("four threads in call()", () -> f.js.waitingCalls() == 4);
        Path extracted = f.n.extractedFolders().get(0);
        assertThat(maps()).contains(extracted.toString());

        Thread unloader = Thread.ofPlatform().start(() -> f.n.natives.unload(NativeFixture.PROGRAM));
        unloader.join(10_000);
        assertThat(unloader.isAlive()).as("unloading within 10 s").isFalse();

        assertThat(Files.readAllLines(left)).hasSize(4)
                .allMatch(l -> l.equals("-8 program demo is stopping on this node"));
        assertThat(f.js.waitingCalls()).isZero();
        assertThat(maps()).doesNotContain(extracted.toString());
    }

    private static String maps() throws Exception {
        return Files.readString(Path.of("/proc/self/maps"));
    }
}
