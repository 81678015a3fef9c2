package sdm.transport.zmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Encodes {@link Message}s as UTF-8 JSON and decodes them strictly: a frame over the size
 * limit, not JSON, of an unknown type, with unknown or missing fields, is refused with an
 * {@link InvalidMessageException} naming the cause. Thread-safe.
 */
public final class MessageCodec {

    /** Frames above this size are refused unread unless a codec is made with another limit. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

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

    public Message decode(byte[] frame) throws InvalidMessageException {
        if (frame.length > maxBytes) {
            throw new InvalidMessageException(InvalidMessageException.Cause.OVERSIZED,
                    "frame of " + frame.length + " bytes is over the limit of " + maxBytes);
        }
        try {
            Message m = mapper.readValue(frame, Message.class);
            if (m == null) {
                throw new InvalidMessageException(InvalidMessageException.Cause.MALFORMED, "empty message");
            }
            return m;
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

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
