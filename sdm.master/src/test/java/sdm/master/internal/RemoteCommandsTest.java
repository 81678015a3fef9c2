package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which admin requests run remotely, and the one line that refuses the others. */
class RemoteCommandsTest {

    private static final String ONLY = "only sdm:* commands and help run remotely";

    private final RemoteCommands remote = RemoteCommands.of(null);

    private Optional<String> refusal(String... words) {
        return remote.refusal(List.of(words));
    }

    @Test
    void sdmCommandsAndHelpRun() {
        assertThat(refusal("sdm:nodes")).isEmpty();
        assertThat(refusal("sdm:install", "--start", "/tmp/a b.jam.zip")).isEmpty();
        assertThat(refusal("sdm:call", "kit", "add", "1; felix:install x", "$(lb)")).isEmpty();
        assertThat(refusal("SDM:Nodes")).isEmpty();
        assertThat(refusal("help")).isEmpty();
        assertThat(refusal("help", "sdm:nodes")).isEmpty();
        assertThat(refusal("HELP", "sdm:nodes")).isEmpty();
    }

    @Test
    void otherScopesAreRefusedWithOneLine() {
        assertThat(refusal("felix:install", "file:/tmp/x.jar"))
                .contains(ONLY + "; felix:install runs on the master's own console");
        assertThat(refusal("FELIX:install", "file:/tmp/x.jar"))
                .contains(ONLY + "; FELIX:install runs on the master's own console");
        assertThat(refusal("cm:list")).contains(ONLY + "; cm:list runs on the master's own console");
        assertThat(refusal("gogo:sh")).contains(ONLY + "; gogo:sh runs on the master's own console");
        assertThat(refusal("system:exit")).contains(ONLY + "; system:exit runs on the master's own console");
        assertThat(refusal("sdmx:nodes")).contains(ONLY + "; sdmx:nodes runs on the master's own console");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lb", "sh", "install", "exit", "echo", "cat"})
    void bareNamesAreRefused(String name) {
        assertThat(refusal(name, "x")).contains(ONLY + "; " + name + " runs on the master's own console");
    }

    @Test
    void aCommandWordWithShellSyntaxIsNotACommandName() {
        assertThat(refusal("sdm:nodes;felix:lb")).contains(ONLY + "; \"sdm:nodes;felix:lb\" is not a command name");
        assertThat(refusal("sdm:nodes|felix:lb")).contains(ONLY + "; \"sdm:nodes|felix:lb\" is not a command name");
        assertThat(refusal("{felix:lb}")).contains(ONLY + "; \"{felix:lb}\" is not a command name");
        assertThat(refusal("$cmd")).contains(ONLY + "; \"$cmd\" is not a command name");
        assertThat(refusal("x=felix:lb")).contains(ONLY + "; \"x=felix:lb\" is not a command name");
        assertThat(refusal("(felix:lb)")).contains(ONLY + "; \"(felix:lb)\" is not a command name");
        assertThat(refusal("sdm:nodes felix:lb")).contains(ONLY + "; \"sdm:nodes felix:lb\" is not a command name");
        assertThat(refusal("sdm:nodes\nfelix:lb")).contains(ONLY + "; \"sdm:nodes?felix:lb\" is not a command name");
        assertThat(refusal("")).contains(ONLY + "; \"\" is not a command name");
        assertThat(refusal("x;".repeat(50)).orElseThrow()).endsWith(";x...\" is not a command name");
    }

    @Test
    void helpTakesOneAllowedCommandName() {
        assertThat(refusal("help", "felix:install"))
                .contains(ONLY + "; help felix:install runs on the master's own console");
        assertThat(refusal("help", "lb")).contains(ONLY + "; help takes one command name, such as help sdm:nodes");
        assertThat(refusal("help", "sdm:nodes", "sdm:log"))
                .contains(ONLY + "; help takes one command name, such as help sdm:nodes");
        assertThat(refusal("help", "sdm:nodes;felix:lb"))
                .contains(ONLY + "; help takes one command name, such as help sdm:nodes");
    }

    @Test
    void noWordsIsNoCommand() {
        assertThat(remote.refusal(List.of())).contains("no command given");
    }

    @Test
    void thePropertyAddsScopes() {
        RemoteCommands bench = RemoteCommands.of(" felix, bench ,,");
        assertThat(bench.extraScopes()).containsExactly("bench", "felix");
        assertThat(bench.rejected()).isEmpty();
        assertThat(bench.refusal(List.of("felix:install", "file:/tmp/probe.jar"))).isEmpty();
        assertThat(bench.refusal(List.of("felix:lb"))).isEmpty();
        assertThat(bench.refusal(List.of("bench:calls", "--count", "10"))).isEmpty();
        assertThat(bench.refusal(List.of("help", "bench:calls"))).isEmpty();
        assertThat(bench.refusal(List.of("sdm:nodes"))).isEmpty();
        assertThat(bench.refusal(List.of("cm:list"))).contains("only sdm:*, bench:*, felix:* commands and help run "
                + "remotely; cm:list runs on the master's own console");
        assertThat(bench.refusal(List.of("lb"))).contains(
                "only sdm:*, bench:*, felix:* commands and help run remotely; lb runs on the master's own console");
    }

    @Test
    void entriesThatAreNotScopesAllowNothing() {
        RemoteCommands odd = RemoteCommands.of("felix:*,*,bench");
        assertThat(odd.rejected()).containsExactly("felix:*", "*");
        assertThat(odd.extraScopes()).containsExactly("bench");
        assertThat(odd.refusal(List.of("felix:install", "x"))).isPresent();
        assertThat(RemoteCommands.of("").extraScopes()).isEmpty();
        assertThat(RemoteCommands.of(" , ").extraScopes()).isEmpty();
    }

    @Test
    void theCommandLineQuotesEveryArgument() {
        assertThat(RemoteCommands.commandLine(List.of("sdm:call", "--node", "694557e7", "--timeout", "3", "kit",
                "add", "-2", "a b", "say \"hi\"", "it's", "c:\\x", "$HOME")))
                .isEqualTo("sdm:call '--node' '694557e7' '--timeout' '3' 'kit' 'add' '-2' 'a b' 'say \"hi\"' "
                        + "'it'\\''s' 'c:\\x' '$HOME'");
        assertThat(RemoteCommands.commandLine(List.of("sdm:nodes"))).isEqualTo("sdm:nodes");
    }
}
