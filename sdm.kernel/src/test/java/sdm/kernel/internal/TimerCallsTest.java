package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimerCallsTest extends KernelCase {

    @Test
    void afterRunsItsFunctionOnceAndForgetsTheTimer() throws IOException {
        k = new TestKernel(folder);
        k.run("const id = sdm.after(0, () => console.log('fired', id, sdm.cancel(id)));");
        assertThat(k.nextLog()).isEqualTo("fired 1 false");
    }

    @Test
    void everyRepeatsUntilCancelled() throws IOException {
        k = new TestKernel(folder);
        k.run("let n = 0;"
                + "const id = sdm.every(10, () => {"
                + "  if (++n === 3) {"
                + "    console.log('cancelled', sdm.cancel(id));"
                + "    sdm.after(60, () => console.log('runs', n));"
                + "  }"
                + "});");
        assertThat(k.nextLog()).isEqualTo("cancelled true");
        assertThat(k.nextLog()).isEqualTo("runs 3");
    }

    @Test
    void aRepeatingTimerCancelledInATurnDoesNotRunTheFiringItQueuedMeanwhile() throws IOException {
        k = new TestKernel(folder);
        k.run("let n = 0;"
                + "const id = sdm.every(10, () => {"
                + "  n++;"
                + "  const until = Date.now() + 50;"
                + "  while (Date.now() < until) {}"
                + "  sdm.cancel(id);"
                + "  sdm.after(60, () => console.log('runs', n));"
                + "});");
        assertThat(k.nextLog()).isEqualTo("runs 1");
    }

    @Test
    void timersHaveIdsOfTheirOwn() throws IOException {
        k = new TestKernel(folder);
        SystemCalls calls = k.systemCalls();
        assertThat(calls.after(60_000, null)).isEqualTo("ok:1");
        assertThat(calls.every(60_000, null)).isEqualTo("ok:2");
        assertThat(calls.cancel(1)).isEqualTo("ok:true");
        assertThat(calls.cancel(1)).isEqualTo("ok:false");
        assertThat(calls.cancel(99)).isEqualTo("ok:false");
    }

    @Test
    void aCancelledTimerIsCancelledOnTheClock() throws IOException {
        k = new TestKernel(folder);
        JsProgram program = k.idle();
        SystemCalls calls = new SystemCalls(program);
        calls.after(60_000, null);
        var task = program.timers().get(1);
        calls.cancel(1);
        assertThat(task.isCancelled()).isTrue();
        assertThat(program.timers()).isEmpty();
    }

    @Test
    void aRepeatingTimerWaitsAtLeastTheMinimum() throws IOException {
        k = new TestKernel(folder);
        JsProgram program = k.idle();
        assertThat(new SystemCalls(program).every(0, null)).isEqualTo("ok:1");
        assertThat(program.timers().get(1).getDelay(TimeUnit.MILLISECONDS))
                .isPositive().isLessThanOrEqualTo(Limits.MIN_TIMER_MILLIS);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, Double.NaN, 86_400_001})
    void aDelayOutsideZeroToADayIsARangeError(double ms) throws IOException {
        k = new TestKernel(folder);
        SystemCalls calls = k.systemCalls();
        String refused = "error:RangeError:a timer's delay must be between 0 and 86400000 ms";
        assertThat(calls.after(ms, null)).isEqualTo(refused);
        assertThat(calls.every(ms, null)).isEqualTo(refused);
    }

    @Test
    void aDelayOfADayIsAllowed() throws IOException {
        k = new TestKernel(folder);
        assertThat(k.systemCalls().after(86_400_000, null)).isEqualTo("ok:1");
    }

    @Test
    void aDelayThatIsNotANumberReachesTheProgramAsARangeError() throws IOException {
        k = new TestKernel(folder);
        k.run(TestKernel.show("sdm.after('soon', () => 1)"));
        assertThat(k.nextLog()).isEqualTo("RangeError: a timer's delay must be between 0 and 86400000 ms");
    }

    @Test
    void aTimerThatIsNotAFunctionIsATypeError() throws IOException {
        k = new TestKernel(folder);
        k.run(TestKernel.show("sdm.every(100, 'tick')"));
        assertThat(k.nextLog()).isEqualTo("TypeError: the timer must be a function");
    }

    @Test
    void pastItsTimersTheProgramFails() throws IOException {
        k = new TestKernel(folder, TestKernel.timers(2));
        SystemCalls calls = k.systemCalls();
        calls.after(60_000, null);
        calls.every(60_000, null);
        assertThat(calls.after(60_000, null)).isEqualTo("error:Error:too many timers");
        assertThat(k.host.failures).containsExactly("demo: set more than 2 timers at once");
    }

    @Test
    void aFiredTimerNoLongerCounts() throws IOException {
        k = new TestKernel(folder, TestKernel.timers(1));
        k.run("sdm.after(0, () => sdm.after(0, () => console.log('second')));");
        assertThat(k.nextLog()).isEqualTo("second");
        assertThat(k.host.failures).isEmpty();
    }
}
