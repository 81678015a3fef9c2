package sdm.transport.zmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;

/**
 * Messages as UTF-8 JSON objects whose {@code type} names the record, decoded strictly: not
 * JSON, of an unknown type, with unknown or missing fields is refused. Only what the binary
 * body cannot carry goes this way, so a node that never meets such a message never loads the
 * JSON library. Thread-safe.
 */
final class JsonBodies {

    private final ObjectMapper mapper;

    JsonBodies(int maxBytes) {
        this.mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // program states by their lower-case names, and only those
                .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
                .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
                .build();
        mapper.registerSubtypes(
                new NamedType(Message.Enroll.class, "enroll"),
                new NamedType(Message.Enrolled.class, "enrolled"),
                new NamedType(Message.Refused.class, "refused"),
                new NamedType(Message.Register.class, "register"),
                new NamedType(Message.Welcome.class, "welcome"),
                new NamedType(Message.Reregister.class, "reregister"),
                new NamedType(Message.Heartbeat.class, "heartbeat"),
                new NamedType(Message.AdminRequest.class, "admin-request"),
                new NamedType(Message.AdminReply.class, "admin-reply"),
                new NamedType(Message.Desired.class, "desired"),
                new NamedType(Message.Report.class, "report"),
                new NamedType(Message.Fetch.class, "fetch"),
                new NamedType(Message.Chunk.class, "chunk"),
                new NamedType(Message.Upload.class, "upload"),
                new NamedType(Message.UploadAck.class, "upload-ack"),
                new NamedType(Message.Call.class, "call"),
                new NamedType(Message.CallResult.class, "call-result"),
                new NamedType(Message.Event.class, "event"),
                new NamedType(Message.EventAck.class, "event-ack"),
                new NamedType(Message.NodeCounters.class, "node-counters"),
                new NamedType(StackMessages.MachineCounts.class, "machine-counts"),
                new NamedType(StackMessages.TreeRequest.class, "tree-request"),
                new NamedType(StackMessages.TreeReply.class, "tree-reply"),
                new NamedType(Message.ExportCall.class, "export-call"),
                new NamedType(Message.ExportResult.class, "export-result"),
                new NamedType(Message.Posts.class, "posts"),
                new NamedType(Message.PostAck.class, "post-ack"),
                new NamedType(Message.NotLeader.class, "not-leader"));
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(maxBytes).build());
    }

    byte[] encode(Message message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    Message decode(byte[] json) throws InvalidMessageException {
        try {
            Message m = mapper.readValue(json, Message.class);
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

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
