package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TimingTest {

    private static final Timing NOW = new Timing(1_000, 3_000);

    @Test
    void aConfigurationWithoutTimingChangesNothing() {
        assertThat(Timing.requested("p", Map.of("other", "1"), NOW)).isEmpty();
    }

    @Test
    void bothValuesAreTakenAsGiven() {
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", " 200 ", "sdm.liveness.ms", "700"), NOW))
                .contains(new Timing(200, 700));
    }

    @Test
    void aHeartbeatAloneKeepsLivenessAtLeastThreeBeats() {
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", "2000"), NOW)).contains(new Timing(2_000, 6_000));
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", "100"), NOW)).contains(new Timing(100, 3_000));
    }

    @Test
    void aLivenessAloneKeepsTheHeartbeat() {
        assertThat(Timing.requested("p", Map.of("sdm.liveness.ms", "5000"), NOW)).contains(new Timing(1_000, 5_000));
    }

    @Test
    void badPairsAreRefused() {
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", "fast"), NOW)).isEmpty();
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", "9"), NOW)).isEmpty();
        assertThat(Timing.requested("p", Map.of("sdm.heartbeat.ms", "500", "sdm.liveness.ms", "500"), NOW)).isEmpty();
    }
}
