package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import sdm.api.node.MonotonicClock;

class ExpiryTest {

    private final MessageCodec codec = new MessageCodec();

    @Test
    void aSealedMessageCarriesItsSendingTimeAndAbsoluteExpiry() throws Exception {
        long before = MonotonicClock.nowMs();
        Message.Call call = new Message.Call("c-1", "p", "f", List.of(1), 1_500);
        MessageCodec.Received r = codec.open(codec.seal(call), null);
        long after = MonotonicClock.nowMs();
        assertThat(r.message()).isEqualTo(call);
        assertThat(r.sentMs()).isBetween(before, after);
        assertThat(r.expiresMs()).isBetween(before + 1_500, after + 1_500);
        assertThat(codec.open(codec.seal(new Message.Heartbeat()), null).expiresMs()).isZero();
        assertThat(codec.decode(codec.seal(call))).isEqualTo(call);
    }

    @Test
    void aFrameWithoutEnvelopeNeverExpiresAndACutEnvelopeIsMalformed() throws Exception {
        MessageCodec.Received plain = codec.open(codec.encode(new Message.Heartbeat()), null);
        assertThat(plain.sentMs()).isZero();
        assertThat(plain.expiresMs()).isZero();
        assertThatThrownBy(() -> codec.open(new byte[] {MessageCodec.ENVELOPE_VERSION, 0, 0}, null))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("envelope cut short");
    }

    @Test
    void expiryIsJudgedOnTheSendersClockWhateverTheSkew() {
        long hour = 3_600_000;
        PeerClock clock = new PeerClock();
        long ours = 1_000_000_000L;
        // the sender's clock is an hour ahead; messages take 1 ms
        for (int i = 0; i < 10; i++) {
            clock.sample(ours + hour + i * 1_000 - 1, ours + i * 1_000);
        }
        long now = ours + 9_000;
        MessageCodec.Received fresh = new MessageCodec.Received(new Message.Heartbeat(), now + hour - 100, now + hour + 900);
        MessageCodec.Received stale = new MessageCodec.Received(new Message.Heartbeat(), now + hour - 5_000, now + hour - 4_000);
        assertThat(Expiry.expired(fresh, clock, now)).isFalse();
        assertThat(Expiry.expired(stale, clock, now)).isTrue();
    }

    @Test
    void aBacklogReadAllAtOnceCannotPassItselfOffAsFresh() {
        PeerClock clock = new PeerClock();
        long t = 5_000_000L;
        for (int i = 0; i < 30; i++) {
            clock.sample(t + i * 1_000, t + i * 1_000 + 2);
        }
        long frozenAt = t + 29_000;
        long woke = frozenAt + 60_000;
        // 60 heartbeats sent during a 60 s freeze of the receiver, all read within 30 ms of waking
        for (int i = 0; i < 60; i++) {
            clock.sample(frozenAt + i * 1_000, woke + i / 2);
        }
        long offsetNow = woke + 30 - clock.senderNow(woke + 30);
        assertThat(offsetNow).as("offset after the backlog").isLessThanOrEqualTo(2 + 600 + 1);
        MessageCodec.Received call = new MessageCodec.Received(new Message.Heartbeat(), frozenAt + 10_000,
                frozenAt + 11_000);
        assertThat(Expiry.expired(call, clock, woke + 30)).isTrue();
    }

    @Test
    void aSenderWhoseClockWasSetBackIsFollowedWithinMinutes() {
        PeerClock clock = new PeerClock();
        long t = 7_000_000L;
        for (int i = 0; i < 10; i++) {
            clock.sample(t + i * 1_000, t + i * 1_000 + 1);
        }
        // the sender's clock goes back 5 s; its messages now look 5 s old
        long back = 5_000;
        long arrival = t + 10_000;
        for (int i = 0; i < 600; i++, arrival += 1_000) {
            clock.sample(arrival - 1 - back, arrival);
        }
        assertThat(arrival - clock.senderNow(arrival)).isEqualTo(back + 1);
    }

    @Test
    void steadyTrafficDoesNotRoundTheRiseAwayAndAGapCreditsAtMostTwoSeconds() {
        PeerClock clock = new PeerClock();
        long t = 9_000_000L;
        clock.sample(t, t + 1);
        // the sender's clock goes back 2 s; messages come every 50 ms
        long arrival = t + 50;
        for (int i = 0; i < 8_000; i++, arrival += 50) {
            clock.sample(arrival - 1 - 2_000, arrival);
        }
        assertThat(arrival - clock.senderNow(arrival)).isEqualTo(2_001);

        PeerClock frozen = new PeerClock();
        frozen.sample(t, t + 1);
        frozen.sample(t + 1_000, t + 600_000); // read 10 minutes late, after a suspend
        assertThat(t + 600_000 - frozen.senderNow(t + 600_000)).as("offset credited for the gap")
                .isLessThanOrEqualTo(1 + 20);
    }

    @Test
    void nothingIsJudgedExpiredBeforeThePeersClockIsMeasured() {
        PeerClock clock = new PeerClock();
        MessageCodec.Received old = new MessageCodec.Received(new Message.Heartbeat(), 1_000, 2_000);
        assertThat(Expiry.expired(old, clock, 5_000_000_000L)).isFalse();
        clock.sample(4_999_999_000L, 5_000_000_000L);
        assertThat(Expiry.expired(old, clock, 5_000_000_000L)).isTrue();
    }
}
