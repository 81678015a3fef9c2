package sdm.transport.zmq;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hot messages in a compact binary body instead of JSON: calls both ways, their results
 * and heartbeats. Every other message stays JSON. A body is a type byte, then the fields (the
 * texts, the numbers, then the values): text as a length (2 bytes, 4 for values) and UTF-8, numbers big-endian, and
 * each argument or result as a tag byte and its bytes. Decoding is as strict as the JSON's:
 * a body cut short, with bytes left over, of an unknown type or tag, or with text that is not
 * UTF-8 is refused, and the record's own checks apply. A value that the body cannot hold
 * (a number beyond a long, say) leaves the whole message to JSON.
 */
final class BinaryBodies {

    private static final byte CALL = 1;
    private static final byte CALL_RESULT = 2;
    private static final byte EXPORT_CALL = 3;
    private static final byte EXPORT_RESULT = 4;
    private static final byte HEARTBEAT = 5;

    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte INT = 3;
    private static final byte LONG = 4;
    private static final byte DOUBLE = 5;
    private static final byte STRING = 6;

    private BinaryBodies() {
    }

    /** The message's binary body after {@code header} bytes left free, or null if it goes as JSON. */
    static byte[] encode(Message message, int header) {
        Writer w = new Writer(header);
        boolean done = switch (message) {
            case Message.Call c -> w.type(CALL).text(c.callId()).text(c.program()).text(c.function())
                    .number(c.timeoutMs()).values(c.args());
            case Message.CallResult r -> w.type(CALL_RESULT).text(r.callId()).flag(r.ok()).text(r.error())
                    .value(r.value());
            case Message.ExportCall c -> w.type(EXPORT_CALL).text(c.callId()).text(c.program()).text(c.function())
                    .number(c.timeoutMs()).values(c.args());
            case Message.ExportResult r -> w.type(EXPORT_RESULT).text(r.callId()).number(r.code()).text(r.error())
                    .value(r.value());
            case Message.Heartbeat h -> w.type(HEARTBEAT) != null;
            default -> false;
        };
        return done ? w.bytes() : null;
    }

    /**
     * Decodes a body.
     *
     * @throws InvalidMessageException naming what is wrong
     */
    static Message decode(ByteBuffer body) throws InvalidMessageException {
        Reader r = new Reader(body);
        try {
            byte type = body.get();
            Message m = switch (type) {
                case CALL -> {
                    String callId = r.text();
                    String program = r.text();
                    String function = r.text();
                    long timeoutMs = r.number();
                    yield new Message.Call(callId, program, function, r.values(), timeoutMs);
                }
                case CALL_RESULT -> {
                    String callId = r.text();
                    boolean ok = r.flag();
                    String error = r.text();
                    yield new Message.CallResult(callId, ok, r.value(), error);
                }
                case EXPORT_CALL -> {
                    String callId = r.text();
                    String program = r.text();
                    String function = r.text();
                    long timeoutMs = r.number();
                    yield new Message.ExportCall(callId, program, function, r.values(), timeoutMs);
                }
                case EXPORT_RESULT -> {
                    String callId = r.text();
                    long code = r.number();
                    String error = r.text();
                    if (code != (int) code) {
                        throw malformed("bad export result code");
                    }
                    yield new Message.ExportResult(callId, (int) code, r.value(), error);
                }
                case HEARTBEAT -> new Message.Heartbeat();
                default -> throw new InvalidMessageException(InvalidMessageException.Cause.UNKNOWN_TYPE,
                        "unknown binary message type " + type);
            };
            if (body.hasRemaining()) {
                throw malformed(body.remaining() + " bytes after the " + m.getClass().getSimpleName());
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw malformed("binary message cut short");
        } catch (IllegalArgumentException e) {
            throw malformed("bad binary message: " + e.getMessage());
        }
    }

    private static InvalidMessageException malformed(String why) {
        return new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, why);
    }

    /**
     * Grows as it writes. Every text field of these records is bounded well below 64 KiB by the
     * record's checks; a value it cannot hold makes {@link #value} false.
     */
    private static final class Writer {
        private byte[] buf = new byte[128];
        private int pos;

        Writer(int header) {
            pos = header;
        }

        Writer type(byte type) {
            room(1);
            buf[pos++] = type;
            return this;
        }

        Writer flag(boolean b) {
            return type(b ? TRUE : FALSE);
        }

        Writer text(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            room(2 + utf8.length);
            buf[pos++] = (byte) (utf8.length >>> 8);
            buf[pos++] = (byte) utf8.length;
            System.arraycopy(utf8, 0, buf, pos, utf8.length);
            pos += utf8.length;
            return this;
        }

        Writer number(long v) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
            return this;
        }

        boolean values(List<Object> values) {
            type((byte) values.size());
            for (Object v : values) {
                if (!value(v)) {
                    return false;
                }
            }
            return true;
        }

        /** The tags mirror what JSON gives back: an int where the number fits one, a double for any fraction. */
        boolean value(Object v) {
            switch (v) {
                case null -> type(NULL);
                case Boolean b -> flag(b);
                case Integer i -> type(INT).int32(i);
                case Short s -> type(INT).int32(s);
                case Byte b -> type(INT).int32(b);
                case Long l -> {
                    long x = l;
                    if (x == (int) x) {
                        type(INT).int32((int) x);
                    } else {
                        type(LONG).number(x);
                    }
                }
                case Double d -> type(DOUBLE).number(Double.doubleToRawLongBits(d));
                case Float f -> type(DOUBLE).number(Double.doubleToRawLongBits(Double.parseDouble(f.toString())));
                case String s -> {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    type(STRING).int32(utf8.length);
                    room(utf8.length);
                    System.arraycopy(utf8, 0, buf, pos, utf8.length);
                    pos += utf8.length;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private Writer int32(int v) {
            room(4);
            buf[pos++] = (byte) (v >>> 24);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
            return this;
        }

        private void room(int n) {
            if (pos + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        byte[] bytes() {
            return pos == buf.length ? buf : java.util.Arrays.copyOf(buf, pos);
        }
    }

    private static final class Reader {
        private final ByteBuffer in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        Reader(ByteBuffer in) {
            this.in = in;
        }

        String text() throws InvalidMessageException {
            return utf8(in.getShort() & 0xFFFF);
        }

        boolean flag() throws InvalidMessageException {
            byte b = in.get();
            if (b != TRUE && b != FALSE) {
                throw malformed("a flag is neither true nor false");
            }
            return b == TRUE;
        }

        long number() {
            return in.getLong();
        }

        List<Object> values() throws InvalidMessageException {
            int n = in.get() & 0xFF;
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(value());
            }
            return out;
        }

        Object value() throws InvalidMessageException {
            byte tag = in.get();
            return switch (tag) {
                case NULL -> null;
                case FALSE -> Boolean.FALSE;
                case TRUE -> Boolean.TRUE;
                case INT -> in.getInt();
                case LONG -> in.getLong();
                case DOUBLE -> Double.longBitsToDouble(in.getLong());
                case STRING -> {
                    int n = in.getInt();
                    if (n < 0) {
                        throw malformed("a string of negative length");
                    }
                    yield utf8(n);
                }
                default -> throw malformed("unknown value tag " + tag);
            };
        }

        private String utf8(int n) throws InvalidMessageException {
            if (n > in.remaining()) {
                throw new BufferUnderflowException();
            }
            ByteBuffer slice = in.slice(in.position(), n);
            in.position(in.position() + n);
            try {
                CharBuffer chars = utf8.decode(slice);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw malformed("text that is not UTF-8");
            }
        }
    }
}
