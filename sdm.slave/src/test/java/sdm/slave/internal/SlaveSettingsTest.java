package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlaveSettingsTest {

    @Test
    void labelsAreParsedAndLabelsOutOfBoundsRefusedInOneLine() {
        assertThat(SlaveSettings.labels("zone=a, gpu=true,")).containsEntry("zone", "a").containsEntry("gpu", "true");
        assertThatThrownBy(() -> SlaveSettings.labels("zone=a,rack=b 7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad labels (sdm.slave.labels): label 'rack=b 7': keys and values are 1 to 63 letters, "
                        + "digits, '_', '.' or '-', the first a letter or a digit");
        assertThatThrownBy(() -> SlaveSettings.labels("k=" + "v".repeat(64)))
                .hasMessageStartingWith("bad labels (sdm.slave.labels): label 'k=vvvv");
    }
}
