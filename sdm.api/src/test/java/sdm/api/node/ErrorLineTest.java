package sdm.api.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class ErrorLineTest {

    @Test
    void theFirstLineOfTheMessage() {
        assertThat(ErrorLine.of(new IOException("first\nsecond"))).isEqualTo("first");
    }

    @Test
    void theClassNameWhenThereIsNoMessage() {
        assertThat(ErrorLine.of(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(ErrorLine.of(new IOException(" "))).isEqualTo("IOException");
    }

    @Test
    void cutAt500Characters() {
        assertThat(ErrorLine.of(new IOException("x".repeat(500)))).isEqualTo("x".repeat(500));
        assertThat(ErrorLine.of(new IOException("x".repeat(501)))).isEqualTo("x".repeat(500) + "...");
    }

    @Test
    void aFileErrorSaysWhatHappenedToTheFile() {
        assertThat(ErrorLine.of(new java.nio.file.NoSuchFileException("/x/y.tmp"))).isEqualTo("no such file: /x/y.tmp");
        assertThat(ErrorLine.of(new java.nio.file.AccessDeniedException("/x"))).isEqualTo("permission denied: /x");
        assertThat(ErrorLine.of(new java.nio.file.FileSystemException("/x", null, "disk full")))
                .isEqualTo("/x: disk full");
    }
}
