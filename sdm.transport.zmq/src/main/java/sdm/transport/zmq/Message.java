package sdm.transport.zmq;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every message that crosses the wire. Each is one ZeroMQ frame holding a JSON object whose
 * {@code type} names the record; see {@link MessageCodec}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Message.Register.class, name = "register"),
        @JsonSubTypes.Type(value = Message.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = Message.Reregister.class, name = "reregister"),
        @JsonSubTypes.Type(value = Message.Heartbeat.class, name = "heartbeat"),
        @JsonSubTypes.Type(value = Message.AdminRequest.class, name = "admin-request"),
        @JsonSubTypes.Type(value = Message.AdminReply.class, name = "admin-reply"),
})
public sealed interface Message {

    /** Slave to master, first thing on every (re)connection: who this node is. */
    record Register(String nodeId, String name, Map<String, String> labels, String os, String arch,
            String version) implements Message {
        public Register {
            checkText("nodeId", nodeId, 64);
            checkText("name", name, 128);
            checkText("os", os, 64);
            checkText("arch", arch, 64);
            checkText("version", version, 64);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            if (labels.size() > 64) {
                throw new IllegalArgumentException("over 64 labels");
            }
            labels.forEach((k, v) -> {
                checkText("label key", k, 128);
                checkText("label value", v, 256);
            });
        }
    }

    /** Master to slave: registration accepted, with the master's timing, which the slave adopts. */
    record Welcome(String masterId, long heartbeatMs, long livenessMs) implements Message {
        public Welcome {
            checkText("masterId", masterId, 64);
        }
    }

    /** Master to slave: the master does not know this connection (it restarted): register again. */
    record Reregister() implements Message {
    }

    /** Either way: I am alive. Any message counts as much as this one. */
    record Heartbeat() implements Message {
    }

    /** Admin client to master: run one shell command. */
    record AdminRequest(String requestId, List<String> command, boolean json) implements Message {
        public AdminRequest {
            checkText("requestId", requestId, 64);
            command = List.copyOf(command);
        }
    }

    /** Master to admin client: the command's output, or its error in one line. */
    record AdminReply(String requestId, boolean ok, String output, String error) implements Message {
    }

    /** A text field from the wire: present, not blank, bounded. A failure makes the frame malformed. */
    private static void checkText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is over " + maxLength + " characters");
        }
    }
}
