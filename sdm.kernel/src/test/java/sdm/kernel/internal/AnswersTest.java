package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AnswersTest {

    @Test
    void okCarriesTheValueAsJson() {
        assertThat(Answers.ok(Map.of("a", List.of(1, "b")))).isEqualTo("ok:{\"a\":[1,\"b\"]}");
        assertThat(Answers.ok("text")).isEqualTo("ok:\"text\"");
        assertThat(Answers.ok(false)).isEqualTo("ok:false");
    }

    @Test
    void okOfNothingIsThePrefixAlone() {
        assertThat(Answers.ok(null)).isEqualTo("ok:");
    }

    @Test
    void anErrorCarriesItsKindThenItsMessage() {
        assertThat(Answers.error("RangeError", "too big: 3")).isEqualTo("error:RangeError:too big: 3");
    }

    @Test
    void aValueThatCannotBeEncodedIsAnError() {
        assertThat(Answers.ok(new Object())).startsWith("error:Error:cannot encode the answer: ");
    }
}
