package sdm.transport.zmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import sdm.api.node.MonotonicClock;

/**
 * Encodes {@link Message}s as UTF-8 JSON, or the hot ones in binary ({@link BinaryBodies}),
 * and decodes them strictly: a frame over the size limit, not JSON, of an unknown type, with
 * unknown or missing fields, is refused with an {@link InvalidMessageException} naming the
 * cause. Thread-safe.
 */
public final class MessageCodec {

    /** Frames above this size are refused unread unless a codec is made with another limit. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    static final byte ENVELOPE_VERSION = 1;
    /** The envelope of a message whose body is binary ({@link BinaryBodies}) rather than JSON. */
    static final byte BINARY_ENVELOPE = 2;
    static final int ENVELOPE_BYTES = 17;

    private final ObjectMapper mapper;
    private final int maxBytes;

    public MessageCodec() {
        this(DEFAULT_MAX_BYTES);
    }

    public MessageCodec(int maxBytes) {
        this.maxBytes = maxBytes;
        this.mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // program states by their lower-case names, and only those
                .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
                .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(maxBytes).build());
    }

    public int maxBytes() {
        return maxBytes;
    }

    public byte[] encode(Message message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * A message for the wire: a 17-byte envelope, then its body: binary for calls, their results
     * and heartbeats ({@link BinaryBodies}), JSON for the rest. The envelope holds a version
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
        try {
            Message m = mapper.readValue(frame, Message.class);
            if (m == null) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "empty message");
            }
            return m;
        } catch (ValueInstantiationException e) {
            // a field out of its bounds: the record's own words, not Jackson's
            Throwable why = e.getCause() == null ? e : e.getCause();
            throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "bad "
                    + e.getType().getRawClass().getSimpleName().toLowerCase() + ": " + firstLine(why.getMessage()));
        } catch (InvalidTypeIdException e) {
            throw new InvalidMessageException(InvalidMessageException.Cause.UNKNOWN_TYPE,
                    "unknown message type " + (e.getTypeId() == null ? "(none)" : "'" + e.getTypeId() + "'"));
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED,
                    "not a message: " + firstLine(e.getMessage()));
        }
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

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
