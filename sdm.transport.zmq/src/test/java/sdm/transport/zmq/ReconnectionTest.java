package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReconnectionTest {

    @Test
    void delaysAreJitteredWithinTheDoublingBackoff() {
        Reconnection r = new Reconnection(1_000, 8_000);
        Random random = new Random(1);
        long[] ceilings = {1_000, 2_000, 4_000, 8_000, 8_000};
        for (long ceiling : ceilings) {
            r.ended(false);
            assertThat(r.nextDelayMs(random)).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    void anAnsweredSessionStartsTheBackoffOver() {
        Reconnection r = new Reconnection(1_000, 8_000);
        Random random = new Random(2);
        for (int i = 0; i < 4; i++) {
            r.ended(false);
            r.nextDelayMs(random);
        }
        r.ended(true);
        assertThat(r.nextDelayMs(random)).isBetween(500L, 1_000L);
        assertThat(r.handshakeLimitMs(1_500)).isEqualTo(1_500);
    }

    @Test
    void slavesThatLostTheirMasterTogetherComeBackSpreadOut() {
        Set<Long> delays = new HashSet<>();
        Random random = new Random(3);
        for (int slave = 0; slave < 100; slave++) {
            Reconnection r = new Reconnection(1_000, 2_000);
            r.ended(true);
            delays.add(r.nextDelayMs(random) / 50);
        }
        assertThat(delays).as("delays in 50 ms buckets").hasSizeGreaterThan(8);
    }

    @Test
    void eachFailedSessionDoublesTheNextHandshakeLimitUpToTheMasters() {
        Reconnection r = new Reconnection(1_000, 2_000);
        assertThat(r.handshakeLimitMs(1_500)).isEqualTo(1_500);
        long[] limits = {3_000, 6_000, 10_000, 10_000};
        for (long limit : limits) {
            r.ended(false);
            assertThat(r.handshakeLimitMs(1_500)).isEqualTo(limit);
        }
    }
}
