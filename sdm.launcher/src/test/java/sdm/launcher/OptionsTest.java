package sdm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Options parse(boolean stopAtWord, String... args) throws UsageException {
        return Options.parse("test", args, 0, Set.of("--json"), Set.of("--data", "--label"), stopAtWord);
    }

    @Test
    void valuesComeSpacedOrWithEquals() throws UsageException {
        Options o = parse(false, "--data", "a", "--label=x=1", "--label", "y=2", "--json");
        assertThat(o.get("--data", null)).isEqualTo("a");
        assertThat(o.all("--label")).containsExactly("x=1", "y=2");
        assertThat(o.has("--json")).isTrue();
        assertThat(o.get("--missing", "fallback")).isEqualTo("fallback");
    }

    @Test
    void theFirstWordEndsTheOptionsOfAClient() throws UsageException {
        Options o = parse(true, "--json", "sdm:nodes", "--json", "--whatever");
        assertThat(o.rest()).containsExactly("sdm:nodes", "--json", "--whatever");
        assertThat(parse(true, "--", "--json").rest()).isEqualTo(List.of("--json"));
    }

    @Test
    void mistakesAreOneLineEach() {
        assertThatThrownBy(() -> parse(false, "--nope")).hasMessage("sdm test: unknown option --nope (see sdm test --help)");
        assertThatThrownBy(() -> parse(false, "--data")).hasMessage("sdm test: --data needs a value");
        assertThatThrownBy(() -> parse(false, "--json=yes")).hasMessage("sdm test: --json takes no value");
        assertThatThrownBy(() -> parse(false, "stray")).hasMessage("sdm test: unexpected argument 'stray'");
    }

    @Test
    void hostPortIsChecked() throws UsageException {
        assertThat(Options.hostPort("m", "--bind", "0.0.0.0:7700")).isEqualTo("0.0.0.0:7700");
        for (String bad : List.of("7700", ":7700", "host:", "host:99999", "host:x")) {
            assertThatThrownBy(() -> Options.hostPort("m", "--bind", bad))
                    .hasMessage("sdm m: --bind wants HOST:PORT, got '" + bad + "'");
        }
    }
}
