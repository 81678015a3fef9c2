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
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /** Master to slave: registration accepted, with the master's timing. */
    record Welcome(String masterId, long heartbeatMs, long livenessMs) implements Message {
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
            command = List.copyOf(command);
        }
    }

    /** Master to admin client: the command's output, or its error in one line. */
    record AdminReply(String requestId, boolean ok, String output, String error) implements Message {
    }
}
