package sdm.transport.zmq;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts {@link BinaryBodies} writes and reads: lengths and counts as unsigned varints
 * (7 bits a byte, low first, at most 5 bytes), fixed-width numbers big-endian, text as a length
 * and UTF-8, and the values of calls and posts as a tag byte and their bytes. Values come back
 * as JSON would give them: an int where the number fits one, a long beyond, a double for any
 * fraction.
 */
final class BinaryValues {

    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte INT = 3;
    private static final byte LONG = 4;
    private static final byte DOUBLE = 5;
    private static final byte STRING = 6;

    private BinaryValues() {
    }

    /** Writes and reads one declared type. */
    interface Codec {
        /** False if {@code v} cannot be written in binary. */
        boolean write(Object v, Writer w);

        Object read(Reader r) throws InvalidMessageException;
    }

    /** Any value of a call or a post, tagged. */
    static final Codec VALUE = new Codec() {
        @Override
        public boolean write(Object v, Writer w) {
            return w.value(v);
        }

        @Override
        public Object read(Reader r) throws InvalidMessageException {
            return r.value();
        }
    };

    static InvalidMessageException malformed(String why) {
        return new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, why);
    }

    /** The codec of a plain component type: text, numbers, booleans, any value, or a data frame's bytes. */
    static Codec plain(Class<?> c) {
        if (c == String.class) {
            return new Codec() {
                @Override
                public boolean write(Object v, Writer w) {
                    w.text((String) v);
                    return true;
                }

                @Override
                public Object read(Reader r) throws InvalidMessageException {
                    return r.text();
                }
            };
        }
        if (c == long.class || c == Long.class) {
            return codec((v, w) -> w.int64((Long) v), r -> r.in.getLong());
        }
        if (c == int.class || c == Integer.class) {
            return codec((v, w) -> w.int32((Integer) v), r -> r.in.getInt());
        }
        if (c == boolean.class || c == Boolean.class) {
            return codec((v, w) -> w.flag((Boolean) v), Reader::flag);
        }
        if (c == byte[].class) {
            return new Codec() { // the bytes travel in the data frame
                @Override
                public boolean write(Object v, Writer w) {
                    return true;
                }

                @Override
                public Object read(Reader r) {
                    return null;
                }
            };
        }
        if (c == Object.class) {
            return VALUE;
        }
        throw new IllegalStateException("no binary form for " + c.getName());
    }

    private interface Put {
        void put(Object v, Writer w);
    }

    private interface Get {
        Object get(Reader r) throws InvalidMessageException;
    }

    /** A codec of a type whose null only JSON can carry. */
    private static Codec codec(Put put, Get get) {
        return new Codec() {
            @Override
            public boolean write(Object v, Writer w) {
                if (v == null) {
                    return false;
                }
                put.put(v, w);
                return true;
            }

            @Override
            public Object read(Reader r) throws InvalidMessageException {
                return get.get(r);
            }
        };
    }

    /** A growing buffer with room left at its start for an envelope. */
    static final class Writer {
        private byte[] buf = new byte[128];
        private int pos;

        Writer(int header) {
            pos = header;
        }

        void count(int n) {
            room(5);
            int v = n;
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void text(String s) {
            if (s == null) {
                count(0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            count(utf8.length + 1);
            raw(utf8);
        }

        /** A list, absent (null) or not, each element by {@code element}; false if one cannot be written. */
        boolean list(List<?> list, Codec element) {
            if (list == null) {
                count(0);
                return true;
            }
            count(list.size() + 1);
            for (Object e : list) {
                if (!element.write(e, this)) {
                    return false;
                }
            }
            return true;
        }

        void flag(boolean b) {
            room(1);
            buf[pos++] = (byte) (b ? 1 : 0);
        }

        void int32(int v) {
            room(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void int64(long v) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        boolean value(Object v) {
            switch (v) {
                case null -> tag(NULL);
                case Boolean b -> tag(b ? TRUE : FALSE);
                case Integer i -> number(i);
                case Short s -> number(s);
                case Byte b -> number(b);
                case Long l -> number(l);
                case Double d -> {
                    tag(DOUBLE);
                    int64(Double.doubleToRawLongBits(d));
                }
                case Float f -> {
                    tag(DOUBLE);
                    int64(Double.doubleToRawLongBits(Double.parseDouble(f.toString())));
                }
                case String s -> {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    tag(STRING);
                    count(utf8.length);
                    raw(utf8);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void number(long x) {
            if (x == (int) x) {
                tag(INT);
                int32((int) x);
            } else {
                tag(LONG);
                int64(x);
            }
        }

        private void tag(byte t) {
            room(1);
            buf[pos++] = t;
        }

        private void raw(byte[] bytes) {
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
        }

        private void room(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        byte[] bytes() {
            return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        }
    }

    /** Reads a body; running past its end throws {@link BufferUnderflowException}. */
    static final class Reader {
        private final ByteBuffer in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        Reader(ByteBuffer in) {
            this.in = in;
        }

        int count() throws InvalidMessageException {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = in.get();
                if (shift == 28 && (b & 0xF8) != 0) {
                    break;
                }
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw malformed("a length or count beyond 2^31");
        }

        /** {@code n} elements, each at least a byte, cannot be more than the bytes left. */
        int bounded(int n) {
            if (n > in.remaining()) {
                throw new BufferUnderflowException();
            }
            return n;
        }

        String text() throws InvalidMessageException {
            int n = count();
            return n == 0 ? null : utf8(n - 1);
        }

        long int64() {
            return in.getLong();
        }

        int int32() {
            return in.getInt();
        }

        /** A list, absent (null) or not, each element by {@code element}. */
        List<Object> list(Codec element) throws InvalidMessageException {
            int n = count();
            if (n == 0) {
                return null;
            }
            List<Object> out = new ArrayList<>(bounded(n - 1));
            for (int i = 1; i < n; i++) {
                out.add(element.read(this));
            }
            return out;
        }

        Boolean flag() throws InvalidMessageException {
            byte b = in.get();
            if (b != 0 && b != 1) {
                throw malformed("a flag is neither true nor false");
            }
            return b == 1;
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
                case STRING -> utf8(count());
                default -> throw malformed("unknown value tag " + tag);
            };
        }

        private String utf8(int n) throws InvalidMessageException {
            ByteBuffer slice = in.slice(in.position(), bounded(n));
            in.position(in.position() + n);
            try {
                return utf8.decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw malformed("text that is not UTF-8");
            }
        }
    }
}
