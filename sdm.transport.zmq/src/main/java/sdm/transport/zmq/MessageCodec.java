package sdm.transport.zmq;

import sdm.api.node.MonotonicClock;

/**
 * Encodes {@link Message}s for the wire, in binary ({@link BinaryBodies}) or, for what that
 * cannot carry, in JSON ({@link JsonBodies}, made on first need), and decodes them strictly: a
 * frame over the size limit, malformed, of an unknown type, with fields missing or out of their
 * bounds, is refused with an {@link InvalidMessageException} naming the cause. Thread-safe.
 */
public final class MessageCodec {

    /** Frames above this size are refused unread unless a codec is made with another limit. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    static final byte ENVELOPE_VERSION = 1;
    /** The envelope of a message whose body is binary ({@link BinaryBodies}) rather than JSON. */
    static final byte BINARY_ENVELOPE = 2;
    static final int ENVELOPE_BYTES = 17;

    private final int maxBytes;
    private volatile JsonBodies json;

    public MessageCodec() {
        this(DEFAULT_MAX_BYTES);
    }

    public MessageCodec(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    private JsonBodies json() {
        JsonBodies j = json;
        if (j == null) {
            j = new JsonBodies(maxBytes);
            json = j;
        }
        return j;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** The message as JSON, without an envelope. */
    public byte[] encode(Message message) {
        return json().encode(message);
    }

    /**
     * A message for the wire: a 17-byte envelope, then its body, binary ({@link BinaryBodies}) or,
     * for a value that cannot go in binary, JSON. The envelope holds a version
     * byte (never {@code '{'}) that also tells the body's kind, the sender's clock when sending and the absolute expiry on that
     * clock (ms since the epoch; 0 = never), so a receiver can tell a message that waited too
     * long in a queue, a socket or a frozen process (see {@link PeerClock}).
     *
     * @param ttlMs how long the message is worth delivering; 0 for never expiring
     */
    public byte[] seal(Message message, long ttlMs) {
        long now = MonotonicClock.nowMs();
        return sealUntil(message, ttlMs <= 0 ? 0 : now + ttlMs);
    }

    /** Seals with an expiry fixed earlier (when the message was made, not when the socket got to it); 0 for never. */
    public byte[] sealUntil(Message message, long expiresMs) {
        byte[] binary = BinaryBodies.encode(message, ENVELOPE_BYTES);
        if (binary != null) {
            java.nio.ByteBuffer.wrap(binary).put(BINARY_ENVELOPE).putLong(MonotonicClock.nowMs())
                    .putLong(Math.max(0, expiresMs));
            return binary;
        }
        byte[] json = encode(message);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(ENVELOPE_BYTES + json.length);
        b.put(ENVELOPE_VERSION).putLong(MonotonicClock.nowMs()).putLong(Math.max(0, expiresMs)).put(json);
        return b.array();
    }

    /** {@link #seal(Message, long)} with the message type's own time to live ({@link Expiry}). */
    public byte[] seal(Message message) {
        return seal(message, Expiry.defaultTtlMs(message));
    }

    /** A decoded message with its envelope; {@code sentMs} and {@code expiresMs} are 0 for a frame without one. */
    public record Received(Message message, long sentMs, long expiresMs) {
    }

    /** Decodes a frame from the wire (one or two frames), with its envelope if it has one. */
    public Received open(byte[] frame, byte[] data) throws InvalidMessageException {
        if (frame.length > 0 && (frame[0] == ENVELOPE_VERSION || frame[0] == BINARY_ENVELOPE)) {
            if (frame.length < ENVELOPE_BYTES) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "envelope cut short");
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(frame);
            b.get();
            long sent = b.getLong();
            long expires = b.getLong();
            if (sent <= 0 || expires < 0) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "envelope with negative times");
            }
            return new Received(decode(frame, data), sent, expires);
        }
        return new Received(decode(frame, data), 0, 0);
    }

    /** Decodes one frame, with or without an envelope (which is then ignored). */
    public Message decode(byte[] frame) throws InvalidMessageException {
        if (frame.length > 0 && (frame[0] == ENVELOPE_VERSION || frame[0] == BINARY_ENVELOPE)) {
            if (frame.length < ENVELOPE_BYTES) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "envelope cut short");
            }
            if (frame[0] == BINARY_ENVELOPE) {
                if (frame.length - ENVELOPE_BYTES > maxBytes) {
                    throw oversized(frame.length - ENVELOPE_BYTES);
                }
                return BinaryBodies.decode(java.nio.ByteBuffer.wrap(frame, ENVELOPE_BYTES, frame.length - ENVELOPE_BYTES));
            }
            frame = java.util.Arrays.copyOfRange(frame, ENVELOPE_BYTES, frame.length);
        }
        if (frame.length > maxBytes) {
            throw oversized(frame.length);
        }
        return json().decode(frame);
    }

    /**
     * Decodes a message of one or two frames: the second frame, if any, is the data of a
     * {@link Message.WithData} and of nothing else.
     */
    public Message decode(byte[] frame, byte[] data) throws InvalidMessageException {
        Message m = decode(frame);
        if (m instanceof Message.WithData w) {
            if (data == null) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                        m.getClass().getSimpleName() + " without its data frame");
            }
            return w.withData(data);
        }
        if (data != null) {
            throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                    m.getClass().getSimpleName() + " with an unexpected data frame");
        }
        return m;
    }

    private InvalidMessageException oversized(int length) {
        return new InvalidMessageException(InvalidMessageException.Cause.OVERSIZED,
                "frame of " + length + " bytes is over the limit of " + maxBytes);
    }
}
