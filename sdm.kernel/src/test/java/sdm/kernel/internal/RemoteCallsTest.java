package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static sdm.kernel.internal.TestKernel.settle;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import sdm.api.CallResult;

class RemoteCallsTest extends KernelCase {

    private FakeCalls.Call nextCall() {
        return TestKernel.next(k.calls.made, () -> "call (failures: " + k.host.failures + ")");
    }

    @Test
    void aCallGoesToTheProgramsFunctionsWithItsArgumentsAndTenSecondsByDefault() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('add', [1, 'two', true, null])"));
        FakeCalls.Call c = nextCall();
        assertThat(c.program()).isEqualTo("demo");
        assertThat(c.function()).isEqualTo("add");
        assertThat(c.args()).containsExactly(1, "two", true, null);
        assertThat(c.nodes()).as("every node the program is on").isEmpty();
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.ttl()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theOptionsNameTheNodesTheTimeoutAndTheTimeToLive() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', [], {nodes: ['n2', 'n1'], timeoutMs: 500, ttlMs: 200})"));
        FakeCalls.Call c = nextCall();
        assertThat(c.nodes()).containsExactly("n2", "n1");
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.ttl()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theTimeToLiveIsTheTimeoutUnlessGiven() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', [], {timeoutMs: 86400000})"));
        assertThat(nextCall().ttl()).isEqualTo(Duration.ofHours(24));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{nodes: 'n1'}                   | TypeError: options.nodes must be an array of node ids",
            "{timeoutMs: 0}                  | RangeError: options.timeoutMs must be between 1 and 86400000",
            "{timeoutMs: 86400001}           | RangeError: options.timeoutMs must be between 1 and 86400000",
            "{timeoutMs: 'soon'}             | RangeError: options.timeoutMs must be between 1 and 86400000",
            "{timeoutMs: '500'}              | RangeError: options.timeoutMs must be between 1 and 86400000",
            "{timeoutMs: 1.5}                | RangeError: options.timeoutMs must be between 1 and 86400000",
            "{ttlMs: [5]}                    | RangeError: options.ttlMs must be between 1 and options.timeoutMs (10000)",
            "5                               | TypeError: sdm.call wants an array of arguments and an options object",
            "[]                              | TypeError: sdm.call wants an array of arguments and an options object",
            "{ttlMs: 0}                      | RangeError: options.ttlMs must be between 1 and options.timeoutMs (10000)",
            "{timeoutMs: 500, ttlMs: 501}    | RangeError: options.ttlMs must be between 1 and options.timeoutMs (500)",
    })
    void badOptionsAreOneClearErrorAndCallNothing(String options, String error) throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', [], " + options + ")"));
        assertThat(k.nextLog()).isEqualTo(error);
        assertThat(k.calls.made).isEmpty();
    }

    @Test
    void argumentsThatAreNotAnArrayAreATypeError() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', 5)"));
        assertThat(k.nextLog()).isEqualTo("TypeError: sdm.call wants an array of arguments and an options object");
    }

    @Test
    void aCallThatCannotBeMadeRejectsWithTheRefusalsLine() throws IOException {
        k = new TestKernel(folder);
        k.calls.refusals.put("nope", "program demo has no function 'nope'");
        k.run(settle("sdm.call('nope', [])"));
        assertThat(k.nextLog()).isEqualTo("Error: program demo has no function 'nope'");
    }

    @Test
    void theResultGivesEachNodesValueOrItsError() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('add', [1, 2])"));
        Map<String, CallResult> results = new LinkedHashMap<>();
        results.put("n1", CallResult.success("n1", 3));
        results.put("n2", CallResult.failure("n2", "no answer within 10000 ms"));
        results.put("n3", CallResult.success("n3", null));
        nextCall().result().complete(results);
        assertThat(k.nextLog()).isEqualTo("= {\"n1\":3,\"n2\":{\"error\":\"no answer within 10000 ms\"},\"n3\":null}");
    }

    @Test
    void aCallThatFailsRejectsWithItsReason() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', [])"));
        nextCall().result().completeExceptionally(new IllegalStateException("the master stopped"));
        assertThat(k.nextLog()).isEqualTo("Error: the master stopped");
    }

    @Test
    void aFailureWrappedByItsFutureRejectsWithTheCausesReason() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.call('f', [])"));
        nextCall().result().completeExceptionally(
                new java.util.concurrent.CompletionException(new IOException("slave-2 went away")));
        assertThat(k.nextLog()).isEqualTo("Error: slave-2 went away");
    }

    @Test
    void pastItsPendingCallsTheProgramFails() throws IOException {
        k = new TestKernel(folder, TestKernel.pendingCalls(2));
        k.run(settle("sdm.call('f', [])") + settle("sdm.call('f', [])") + settle("sdm.call('f', [])"));
        assertThat(TestKernel.next(k.host.failures, () -> "failure"))
                .isEqualTo("demo: had more than 2 remote operations pending");
        assertThat(k.calls.made).hasSize(2);
    }

    @Test
    void aSettledCallNoLongerCountsAsPending() throws IOException {
        k = new TestKernel(folder, TestKernel.pendingCalls(1));
        k.run(settle("sdm.call('f', []).then(() => sdm.call('g', []))"));
        nextCall().result().complete(Map.of());
        assertThat(nextCall().function()).isEqualTo("g");
        assertThat(k.host.failures).isEmpty();
    }

    @Test
    void aRefusedCallNoLongerCountsAsPending() throws IOException {
        k = new TestKernel(folder, TestKernel.pendingCalls(1));
        k.calls.refusals.put("nope", "no such function");
        k.run("sdm.call('nope', []).catch(() => {}); sdm.call('g', []);");
        assertThat(nextCall().function()).isEqualTo("g");
        assertThat(k.host.failures).isEmpty();
    }
}
