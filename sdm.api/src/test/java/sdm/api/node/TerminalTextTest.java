package sdm.api.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void plainTextIsLeftAlone() {
        String plain = "slave-1 zone=b été 日本";
        assertThat(TerminalText.escape(plain)).isSameAs(plain);
    }

    @Test
    void terminalEscapesAndControlsAreWrittenOut() {
        assertThat(TerminalText.escape("a\u001b]0;owned\u0007b")).isEqualTo("a\\u001b]0;owned\\u0007b");
        assertThat(TerminalText.escape("x\ty\rz\u007f\u009b")).isEqualTo("x\\u0009y\\u000dz\\u007f\\u009b");
    }

    @Test
    void textReorderingControlsAreWrittenOut() {
        assertThat(TerminalText.escape("evil\u202egnp.exe")).isEqualTo("evil\\u202egnp.exe");
        assertThat(TerminalText.escape("\u2066x\u2069")).isEqualTo("\\u2066x\\u2069");
    }
}
