package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class LogCallsTest extends KernelCase {

    @Test
    void aLineGoesToTheProgramsLog() throws IOException {
        k = new TestKernel(folder);
        assertThat(k.systemCalls().log("hello")).isEqualTo("ok:");
        assertThat(k.host.logs).containsExactly("hello");
    }

    @Test
    void consoleLogJoinsItsValuesAsText() throws IOException {
        k = new TestKernel(folder);
        k.run("const loop = {}; loop.self = loop;"
                + "console.log('a', 1, {b: [2]}, undefined, null, loop);");
        assertThat(k.nextLog()).isEqualTo("a 1 {\"b\":[2]} undefined null [object Object]");
    }

    @Test
    void pastItsLogVolumeTheProgramFails() throws IOException {
        k = new TestKernel(folder, TestKernel.logLines(3, 10_000));
        SystemCalls calls = k.systemCalls();
        for (int i = 0; i < 3; i++) {
            assertThat(calls.log("line " + i)).isEqualTo("ok:");
        }
        assertThat(calls.log("line 3")).isEqualTo("error:Error:log volume exceeded");
        assertThat(k.host.logs).containsExactly("line 0", "line 1", "line 2");
        assertThat(k.host.failures).containsExactly("demo: logged more than 3 lines in 10 s");
    }

    @Test
    void eachLogWindowCountsItsOwnLines() throws IOException {
        k = new TestKernel(folder, TestKernel.logLines(1, -1));
        SystemCalls calls = k.systemCalls();
        for (int i = 0; i < 5; i++) {
            assertThat(calls.log("line " + i)).isEqualTo("ok:");
        }
        assertThat(k.host.failures).isEmpty();
    }

    @Test
    void theEnginesWarningsAreLoggedToo() throws IOException {
        k = new TestKernel(folder);
        k.run("Promise.reject(new Error('nobody caught this'));");
        assertThat(k.nextLog()).contains("nobody caught this");
    }
}
