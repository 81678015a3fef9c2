package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class BinaryBodiesTest {

    private final MessageCodec codec = new MessageCodec(4096);

    private static final List<Message> HOT = List.of(
            new Message.Call("c1", "hello", "add", List.of(2, "x", true, 2.5, -7L << 40), 1000),
            new Message.Call("c2", "hello", "none", List.of(), 1),
            new Message.CallResult("c1", true, 5, ""),
            new Message.CallResult("c2", false, null, "boom: é ü 漢"),
            new Message.CallResult("c3", true, "text", ""),
            new Message.CallResult("c4", true, Long.MAX_VALUE, ""),
            new Message.ExportCall("x1", "hello", "reading", List.of("t1", 21.5, false), 2000),
            new Message.ExportResult("x1", 0, 42.25, ""),
            new Message.ExportResult("x2", -6, null, "TypeError: boom"),
            new Message.Heartbeat());

    @Test
    void hotMessagesGoBinaryAndComeBackEqual() throws InvalidMessageException {
        for (Message m : HOT) {
            byte[] frame = codec.seal(m, 1000);
            assertThat(frame[0]).as(m.toString()).isEqualTo(MessageCodec.BINARY_ENVELOPE);
            MessageCodec.Received r = codec.open(frame, null);
            assertThat(r.message()).isEqualTo(m);
            assertThat(r.expiresMs()).isGreaterThan(r.sentMs());
        }
    }

    @Test
    void numbersComeBackAsJsonWouldGiveThem() throws InvalidMessageException {
        Message.Call sent = new Message.Call("c", "p", "f", List.of(3L, (short) 4, 1.5f), 10);
        Message.Call binary = (Message.Call) codec.open(codec.seal(sent, 0), null).message();
        Message.Call json = (Message.Call) codec.decode(codec.encode(sent));
        assertThat(binary.args()).isEqualTo(json.args()).containsExactly(3, 4, 1.5);
    }

    @Test
    void aValueTheBodyCannotHoldLeavesTheMessageToJson() throws InvalidMessageException {
        Message.Call big = new Message.Call("c", "p", "f", List.of(BigInteger.TWO.pow(70)), 10);
        byte[] frame = codec.seal(big, 0);
        assertThat(frame[0]).isEqualTo(MessageCodec.ENVELOPE_VERSION);
        assertThat(((Message.Call) codec.open(frame, null).message()).args()).containsExactly(BigInteger.TWO.pow(70));
    }

    @Test
    void everyCutOfABodyIsRefusedAsMalformed() {
        for (Message m : HOT) {
            byte[] frame = codec.seal(m, 0);
            for (int n = MessageCodec.ENVELOPE_BYTES; n < frame.length; n++) {
                byte[] cut = Arrays.copyOf(frame, n);
                assertThatThrownBy(() -> codec.open(cut, null)).as(m + " cut at " + n)
                        .isInstanceOf(InvalidMessageException.class)
                        .extracting(e -> ((InvalidMessageException) e).reason())
                        .isEqualTo(InvalidMessageException.Cause.MALFORMED);
            }
        }
    }

    @Test
    void bytesLeftOverAreRefused() {
        byte[] frame = codec.seal(new Message.CallResult("c1", true, 5, ""), 0);
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);
        assertThatThrownBy(() -> codec.open(longer, null)).hasMessageContaining("1 bytes after the CallResult");
    }

    @Test
    void unknownTypesTagsAndBadTextAreNamed() {
        byte[] frame = codec.seal(new Message.CallResult("c1", true, 5, ""), 0);
        byte[] type = frame.clone();
        type[MessageCodec.ENVELOPE_BYTES] = 99;
        assertThatThrownBy(() -> codec.open(type, null)).hasMessageContaining("unknown binary message type 99");
        byte[] tag = frame.clone();
        tag[frame.length - 5] = 42; // the result's tag, before its 4-byte int
        assertThatThrownBy(() -> codec.open(tag, null)).hasMessageContaining("unknown value tag 42");
        byte[] text = frame.clone();
        text[MessageCodec.ENVELOPE_BYTES + 3] = (byte) 0xC3; // "c1" becomes a lone lead byte
        assertThatThrownBy(() -> codec.open(text, null)).hasMessageContaining("not UTF-8");
        byte[] flag = frame.clone();
        flag[MessageCodec.ENVELOPE_BYTES + 5] = 7;
        assertThatThrownBy(() -> codec.open(flag, null)).hasMessageContaining("neither true nor false");
    }

    @Test
    void theRecordsOwnChecksApply() {
        byte[] frame = codec.seal(new Message.Call("c1", "hello", "f", List.of(), 10), 0);
        frame[MessageCodec.ENVELOPE_BYTES + 7] = 'H'; // "hello" -> "Hello": not a program name
        assertThatThrownBy(() -> codec.open(frame, null)).hasMessageContaining("bad binary message: bad program name");
    }

    @Test
    void aBinaryMessageWithADataFrameIsRefused() {
        byte[] frame = codec.seal(new Message.Heartbeat(), 0);
        assertThatThrownBy(() -> codec.open(frame, new byte[] {1})).hasMessageContaining("unexpected data frame");
    }
}
