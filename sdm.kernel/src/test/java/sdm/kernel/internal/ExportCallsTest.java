package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import sdm.api.ExportException;

/** {@code sdm.export} and calls of exports from C, on a real GraalJS context. */
class ExportCallsTest extends KernelCase {

    private static final String DECLARED = String.join(",",
            "int1;returns=int;params=\"int\"", "long1;returns=long;params=\"long\"",
            "double1;returns=double;params=\"double\"", "bool1;returns=bool;params=\"bool\"",
            "string1;returns=string;params=\"string\"", "void1;returns=void;params=\"\"",
            "node;returns=string;params=\"\"", "later;returns=int;params=\"int\"", "boom;returns=int;params=\"\"",
            "rejects;returns=int;params=\"\"", "wrong;returns=int;params=\"\"", "never;returns=int;params=\"\"",
            "absent;returns=int;params=\"\"");

    private static final String SCRIPT = """
            sdm.export('int1', (x) => x + 1);
            sdm.export('long1', (x) => x * 2);
            sdm.export('double1', (x) => x / 2);
            sdm.export('bool1', (b) => !b);
            sdm.export('string1', (s) => s.toUpperCase());
            sdm.export('void1', () => 'ignored');
            sdm.export('node', (info) => info.node);
            sdm.export('later', async (x) => { await new Promise((r) => sdm.after(20, r)); return x * 10; });
            sdm.export('boom', () => { throw new TypeError('boom'); });
            sdm.export('rejects', async () => { throw new RangeError('no'); });
            sdm.export('wrong', () => 'a string');
            sdm.export('never', () => new Promise(() => {}));
            let undeclared, notAFunction;
            try { sdm.export('undeclared', () => 1); } catch (e) { undeclared = e instanceof TypeError; }
            try { sdm.export('int1', 42); } catch (e) { notAFunction = e instanceof TypeError; }
            console.log('ready', undeclared, notAFunction);
            """;

    private JsProgram ready() throws IOException {
        k = new TestKernel(folder);
        k.exports = DECLARED;
        JsProgram p = k.run(SCRIPT);
        assertThat(k.nextLog()).isEqualTo("ready true true");
        return p;
    }

    private static Object value(CompletionStage<Object> call) throws Exception {
        return call.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ExportException failure(CompletionStage<Object> call) {
        try {
            Object v = call.toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("answered " + v);
        } catch (ExecutionException e) {
            return (ExportException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static CompletionStage<Object> call(JsProgram p, String function, Object... args) {
        return p.exports().call(function, List.of(args), "n1", Duration.ofSeconds(5));
    }

    @Test
    void eachReturnTypeComesBackAsItsJsonValue() throws Exception {
        JsProgram p = ready();
        assertThat(value(call(p, "int1", 41))).isEqualTo(42);
        assertThat(value(call(p, "long1", 3_000_000_000L))).isEqualTo(6_000_000_000L);
        assertThat(value(call(p, "double1", 5.0))).isEqualTo(2.5);
        assertThat(value(call(p, "bool1", false))).isEqualTo(true);
        assertThat(value(call(p, "string1", "wörld"))).isEqualTo("WÖRLD");
        assertThat(value(call(p, "void1"))).isNull();
        assertThat(value(call(p, "node"))).as("the node is the last argument").isEqualTo("n1");
        assertThat(value(call(p, "later", 4))).as("an async export").isEqualTo(40);
    }

    @Test
    void aThrowARejectionAndAWrongTypeAreFailuresWithTheirLine() throws Exception {
        JsProgram p = ready();
        assertThat(failure(call(p, "boom"))).extracting(ExportException::reason, Throwable::getMessage)
                .containsExactly(ExportException.Reason.FAILED, "TypeError: boom");
        assertThat(failure(call(p, "rejects")).getMessage()).isEqualTo("RangeError: no");
        assertThat(failure(call(p, "wrong")).getMessage()).isEqualTo("wrong() returned a string, not int");
        assertThat(k.nextLog()).isEqualTo("export failed: TypeError: boom");
        assertThat(value(call(p, "int1", 1))).as("the program goes on").isEqualTo(2);
    }

    @Test
    void anExportThatNeverAnswersTimesOut() throws Exception {
        JsProgram p = ready();
        long t0 = System.nanoTime();
        ExportException e = failure(p.exports().call("never", List.of(), "n1", Duration.ofMillis(300)));
        assertThat(e.reason()).isEqualTo(ExportException.Reason.TIMED_OUT);
        assertThat(e.getMessage()).isEqualTo("never() did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    @Test
    void aDeclaredFunctionNotExportedYetIsNotRunningAndAStoppedProgramAnswersAtOnce() throws Exception {
        JsProgram p = ready();
        assertThat(failure(call(p, "absent"))).extracting(ExportException::reason, Throwable::getMessage)
                .containsExactly(ExportException.Reason.NOT_RUNNING, "program demo has not called sdm.export('absent')");
        CompletionStage<Object> waiting = p.exports().call("never", List.of(), "n1", Duration.ofSeconds(60));
        p.stop();
        assertThat(failure(waiting).getMessage()).isEqualTo("program demo stopped");
        assertThat(failure(call(p, "int1", 1)).reason()).isEqualTo(ExportException.Reason.NOT_RUNNING);
    }

    @Test
    void theKernelRunsNoExportsOfAProgramItDoesNotRun() throws Exception {
        k = new TestKernel(folder);
        assertThatThrownBy(() -> k.kernel.callExport("nope", "f", List.of(), "n1", Duration.ofSeconds(1))
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ExportException.class)
                .hasMessageContaining("program nope's JavaScript is not running");
    }

    @Test
    void declaredExportsAreReadFromTheHeader() {
        assertThat(Exports.declared(DECLARED)).containsEntry("int1", "int").containsEntry("void1", "void")
                .hasSize(13);
        assertThat(Exports.declared(null)).isEmpty();
    }
}
