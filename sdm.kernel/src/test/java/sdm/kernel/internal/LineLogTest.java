package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class LineLogTest {

    @Test
    void completeLinesAreTakenOnceInOrderAndPastTheBoundDropped() throws Exception {
        LineLog log = new LineLog(2);
        log.write("a\nb\nc\nd".getBytes(StandardCharsets.UTF_8));
        assertThat(log.take()).containsExactly("a", "b");
        assertThat(log.take()).isEmpty();
        log.write("e\n".getBytes(StandardCharsets.UTF_8));
        assertThat(log.take()).containsExactly("de");
    }

    @Test
    void aLongLineIsCutAt4KiB() throws Exception {
        LineLog log = new LineLog(1);
        log.write(("x".repeat(5_000) + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(log.take()).singleElement().asString().hasSize(4_096);
    }
}
