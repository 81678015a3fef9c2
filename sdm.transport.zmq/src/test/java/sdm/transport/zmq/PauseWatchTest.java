package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PauseWatchTest {

    @Test
    void turnsWithinAPeriodAndItsSlackAreNoPause() {
        PauseWatch w = new PauseWatch();
        assertThat(w.pausedMs(10_000, 1_000)).isZero();
        assertThat(w.pausedMs(11_000, 1_000)).isZero();
        assertThat(w.pausedMs(13_000, 1_000)).isZero();
    }

    @Test
    void aTurnLaterThanThatIsAPauseOfTheWholeGap() {
        PauseWatch w = new PauseWatch();
        w.pausedMs(10_000, 1_000);
        assertThat(w.pausedMs(15_000, 1_000)).isEqualTo(5_000);
        assertThat(w.pausedMs(15_500, 1_000)).isZero();
    }

    @Test
    void aLongPeriodIsItsOwnSlack() {
        PauseWatch w = new PauseWatch();
        w.pausedMs(0, 5_000);
        assertThat(w.pausedMs(10_000, 5_000)).isZero();
        assertThat(w.pausedMs(20_001, 5_000)).isEqualTo(10_001);
    }
}
