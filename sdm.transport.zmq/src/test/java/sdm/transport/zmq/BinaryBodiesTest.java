package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import sdm.api.ProgramState;

class BinaryBodiesTest {

    private static final String SHA = "ab".repeat(32);

    private final MessageCodec codec = new MessageCodec(4096);

    /** One of every type, with every kind of field. */
    private static final List<Message> EVERY = List.of(
            new Message.Enroll("n1", "slave-1", "k".repeat(40)),
            new Message.Enrolled("n1", true),
            new Message.Refused("node n1 is taken"),
            new Message.Register("n1", "slave-1", Map.of("zone", "a", "rack", "r-7"), "linux", "x86_64", "0.1.0"),
            new Message.Welcome("m", 1000, 3000),
            new Message.Reregister(),
            new Message.Heartbeat(),
            new Message.AdminRequest("r1", List.of("sdm:nodes", "--json"), true),
            new Message.AdminRequest("r2", List.of("sdm:install", "x.jam.zip"), false, Map.of(1, "u1")),
            new Message.AdminReply("r1", false, "", "boom"),
            new Message.Desired(7, List.of(new Message.DesiredProgram("hello", "1.0.0", SHA, 10, ProgramState.ACTIVE, 3))),
            new Message.Desired(8, List.of()),
            new Message.Report(7, List.of(new Message.ProgramStatus("hello", "1.0.0", SHA, ProgramState.FAILED, "boom", 3))),
            new Message.Fetch(SHA, 0, 1024),
            new Message.UploadAck("u1", 10, ""),
            new Message.Call("c1", "hello", "add", List.of(2, "x", true, 2.5, -7L << 40), 1000),
            new Message.Call("c2", "hello", "none", List.of(), 1),
            new Message.CallResult("c1", true, 5, ""),
            new Message.CallResult("c2", false, null, "boom: é ü 漢"),
            new Message.CallResult("c4", true, Long.MAX_VALUE, ""),
            new Message.Event(1, 2, "hello", "log", "a line", 100, 5000),
            new Message.EventAck(1, 2),
            new Message.NodeCounters(Map.of("eventsSent", 3L, "droppedExpired", 0L)),
            new Message.ExportCall("x1", "hello", "reading", List.of("t1", 21.5, false), 2000),
            new Message.ExportResult("x1", 0, 42.25, ""),
            new Message.ExportResult("x2", -6, null, "TypeError: boom"),
            new Message.Posts(3, List.of(new Post(1, "hello", "reading", List.of("t1", 1), 100, 5000))),
            new Message.PostAck(3, 2));

    @Test
    void everyMessageGoesBinaryAndComesBackEqual() throws InvalidMessageException {
        for (Message m : EVERY) {
            byte[] frame = codec.seal(m, 1000);
            assertThat(frame[0]).as(m.toString()).isEqualTo(MessageCodec.BINARY_ENVELOPE);
            MessageCodec.Received r = codec.open(frame, null);
            assertThat(r.message()).isEqualTo(m);
            assertThat(r.expiresMs()).isGreaterThan(r.sentMs());
        }
    }

    @Test
    void theHandWrittenHotMessagesAreLaidOutAsTheirShapes() {
        for (Message m : EVERY) {
            if (m instanceof Message.Call || m instanceof Message.CallResult || m instanceof Message.ExportCall
                    || m instanceof Message.ExportResult || m instanceof Message.Heartbeat) {
                byte[] frame = codec.seal(m, 0);
                assertThat(Arrays.copyOfRange(frame, MessageCodec.ENVELOPE_BYTES, frame.length)).as(m.toString())
                        .isEqualTo(BinaryBodies.encodeByShape(m));
            }
        }
    }

    @Test
    void bulkBytesStayInTheirOwnFrame() throws InvalidMessageException {
        byte[] data = {1, 2, 3};
        Message.Chunk chunk = new Message.Chunk(SHA, 0, 10, data);
        byte[] frame = codec.seal(chunk, 0);
        assertThat(frame).hasSizeLessThan(100);
        Message.Chunk back = (Message.Chunk) codec.open(frame, data).message();
        assertThat(back.data()).isEqualTo(data);
        assertThat(back.sha256()).isEqualTo(SHA);
        assertThatThrownBy(() -> codec.open(frame, null)).hasMessageContaining("without its data frame");
        byte[] beat = codec.seal(new Message.Heartbeat(), 0);
        assertThatThrownBy(() -> codec.open(beat, new byte[] {1})).hasMessageContaining("unexpected data frame");
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
        for (Message m : EVERY) {
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

    /** CallResult("c1", true, 5, ""): type, "c1", the flag, the value's tag and int, the empty error. */
    private byte[] result() {
        byte[] frame = codec.seal(new Message.CallResult("c1", true, 5, ""), 0);
        assertThat(frame).hasSize(MessageCodec.ENVELOPE_BYTES + 11);
        return frame;
    }

    private static final int BODY = MessageCodec.ENVELOPE_BYTES;

    @Test
    void bytesLeftOverAreRefused() {
        byte[] longer = Arrays.copyOf(result(), BODY + 12);
        assertThatThrownBy(() -> codec.open(longer, null)).hasMessageContaining("1 bytes after the CallResult");
    }

    @Test
    void unknownTypesTagsAndBadFieldsAreNamed() {
        assertThatThrownBy(() -> codec.open(with(result(), BODY, 99), null))
                .hasMessageContaining("unknown binary message type 99")
                .extracting(e -> ((InvalidMessageException) e).reason()).isEqualTo(InvalidMessageException.Cause.UNKNOWN_TYPE);
        assertThatThrownBy(() -> codec.open(with(result(), BODY + 5, 42), null)).hasMessageContaining("unknown value tag 42");
        assertThatThrownBy(() -> codec.open(with(result(), BODY + 2, 0xC3), null)).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> codec.open(with(result(), BODY + 4, 7), null)).hasMessageContaining("neither true nor false");
        assertThatThrownBy(() -> codec.open(with(result(), BODY + 1, 100), null)).hasMessageContaining("cut short");
        byte[] endless = result();
        Arrays.fill(endless, BODY + 1, BODY + 6, (byte) 0xFF);
        assertThatThrownBy(() -> codec.open(endless, null)).hasMessageContaining("beyond 2^31");
    }

    @Test
    void anUnknownEnumNameIsRefused() {
        byte[] frame = codec.seal(new Message.Desired(1, List.of(
                new Message.DesiredProgram("hello", "1.0.0", SHA, 10, ProgramState.ACTIVE, 3))), 0);
        int at = indexOf(frame, "ACTIVE");
        frame[at + 5] = 'X';
        assertThatThrownBy(() -> codec.open(frame, null)).hasMessageContaining("unknown ProgramState ACTIVX");
    }

    @Test
    void theRecordsOwnChecksApply() {
        byte[] frame = codec.seal(new Message.Call("c1", "hello", "f", List.of(), 10), 0);
        frame[indexOf(frame, "hello")] = 'H';
        assertThatThrownBy(() -> codec.open(frame, null)).hasMessageContaining("bad call: bad program name");
    }

    private static byte[] with(byte[] frame, int at, int value) {
        frame[at] = (byte) value;
        return frame;
    }

    private static int indexOf(byte[] frame, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + t.length <= frame.length; i++) {
            if (Arrays.equals(frame, i, i + t.length, t, 0, t.length)) {
                return i;
            }
        }
        throw new AssertionError(text + " not in the frame");
    }
}
