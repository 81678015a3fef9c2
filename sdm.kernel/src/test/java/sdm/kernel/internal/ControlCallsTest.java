package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static sdm.kernel.internal.TestKernel.settle;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ControlCallsTest extends KernelCase {

    private static final String CONTROL = Privileges.PROGRAMS_CONTROL;

    private FakeHost.Control nextControl() {
        return TestKernel.next(k.host.controls, () -> "control action (failures: " + k.host.failures + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"install", "start", "stop", "uninstall"})
    void withoutProgramsControlAnActionIsRefusedAndAudited(String action) throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.programs." + action + "('other').catch(e => { console.log(e instanceof sdm.PrivilegeError); throw e; })"));
        assertThat(k.nextLog()).isEqualTo("true");
        assertThat(k.nextLog()).isEqualTo("PrivilegeError: programs." + action
                + "('other') needs privilege programs.control (not granted to demo)");
        assertThat(k.host.audits).containsExactly("demo: denied programs." + action
                + "('other'): needs privilege programs.control");
        assertThat(k.host.controls).isEmpty();
    }

    @Test
    void withProgramsControlTheActionRunsAndItsSummaryResolves() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.programs.stop('other')"), CONTROL);
        FakeHost.Control c = nextControl();
        assertThat(c.action()).isEqualTo("stop");
        assertThat(c.target()).isEqualTo("other");
        assertThat(c.options()).isEmpty();
        c.answer().complete("stopped other");
        assertThat(k.nextLog()).isEqualTo("= \"stopped other\"");
        assertThat(k.host.audits).isEmpty();
    }

    @Test
    void installPassesStartAndThePrivilegesItGrants() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.programs.install('/data/a.jam', {start: true, grant: ['programs.control']})"), CONTROL);
        FakeHost.Control c = nextControl();
        assertThat(c.action()).isEqualTo("install");
        assertThat(c.target()).isEqualTo("/data/a.jam");
        assertThat(c.options()).containsExactly("start", "grant=programs.control");
    }

    @Test
    void aProgramCannotGrantAPrivilegeItLacks() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.programs.install('/data/a.jam', {grant: ['root']})"), CONTROL);
        assertThat(k.nextLog()).isEqualTo("PrivilegeError: programs.install('/data/a.jam') with grant root"
                + " needs privilege root (not granted to demo)");
        assertThat(k.host.audits).containsExactly("demo: denied programs.install('/data/a.jam') with grant root:"
                + " needs privilege root");
        assertThat(k.host.controls).isEmpty();
    }

    @Test
    void aFailedActionRejectsWithItsCause() throws IOException {
        k = new TestKernel(folder);
        k.run(settle("sdm.programs.start('a')") + settle("sdm.programs.start('b')"), CONTROL);
        nextControl().answer().completeExceptionally(new CompletionException(new IOException("no program a")));
        assertThat(k.nextLog()).isEqualTo("Error: no program a");
        nextControl().answer().completeExceptionally(new IllegalStateException("b is failed"));
        assertThat(k.nextLog()).isEqualTo("Error: b is failed");
    }

    @Test
    void anUnknownActionIsATypeError() throws IOException {
        k = new TestKernel(folder);
        assertThat(k.systemCalls(CONTROL).control("reboot", "other", "{}", null))
                .isEqualTo("error:TypeError:no such action: programs.reboot");
    }

    @Test
    void optionsThatAreNotJsonAreATypeError() throws IOException {
        k = new TestKernel(folder);
        assertThat(k.systemCalls(CONTROL).control("install", "/data/a.jam", "{start", null))
                .isEqualTo("error:TypeError:options must be an object");
        assertThat(k.host.controls).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "5                            | options must be an object",
            "[]                           | options must be an object",
            "{\"start\": \"yes\"}           | options.start must be true or false",
            "{\"grant\": \"programs.control\"} | options.grant must be an array of privilege names",
            "{\"grant\": [1]}               | options.grant must be an array of privilege names",
    })
    void optionsOfTheWrongShapeAreATypeErrorAndDoNothing(String options, String error) throws IOException {
        k = new TestKernel(folder);
        assertThat(k.systemCalls(CONTROL).control("install", "/data/a.jam", options, null))
                .isEqualTo("error:TypeError:" + error);
        assertThat(k.host.controls).isEmpty();
    }

    @Test
    void refusalsCountAgainstTheLogVolume() throws IOException {
        k = new TestKernel(folder, TestKernel.logLines(2, 10_000));
        SystemCalls calls = k.systemCalls();
        assertThat(calls.control("start", "a", "{}", null)).startsWith("error:PrivilegeError:");
        assertThat(calls.control("start", "a", "{}", null)).startsWith("error:PrivilegeError:");
        assertThat(calls.control("start", "a", "{}", null)).isEqualTo("error:Error:log volume exceeded");
        assertThat(k.host.audits).hasSize(2);
        assertThat(k.host.failures).containsExactly("demo: logged more than 2 lines in 10 s");
    }

    @Test
    void pastItsPendingOperationsTheProgramFails() throws IOException {
        k = new TestKernel(folder, TestKernel.pendingCalls(1));
        k.run(settle("sdm.programs.start('a')") + settle("sdm.programs.start('b')"), CONTROL);
        assertThat(TestKernel.next(k.host.failures, () -> "failure"))
                .isEqualTo("demo: had more than 1 remote operations pending");
        assertThat(k.host.controls).extracting(FakeHost.Control::target).containsExactly("a");
    }

    @Test
    void aSettledActionNoLongerCountsAsPending() throws IOException {
        k = new TestKernel(folder, TestKernel.pendingCalls(1));
        k.run(settle("sdm.programs.start('a').then(() => sdm.programs.start('b'))"), CONTROL);
        nextControl().answer().complete("started a");
        assertThat(nextControl().target()).isEqualTo("b");
        assertThat(k.host.failures).isEmpty();
    }
}
