package sdm.transport.zmq;

import static sdm.transport.zmq.WireFields.checkArgs;
import static sdm.transport.zmq.WireFields.checkCounters;
import static sdm.transport.zmq.WireFields.checkError;
import static sdm.transport.zmq.WireFields.checkLabels;
import static sdm.transport.zmq.WireFields.checkMasters;
import static sdm.transport.zmq.WireFields.checkName;
import static sdm.transport.zmq.WireFields.checkSha;
import static sdm.transport.zmq.WireFields.checkState;
import static sdm.transport.zmq.WireFields.checkText;
import static sdm.transport.zmq.WireFields.checkTimeout;
import static sdm.transport.zmq.WireFields.checkValue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import sdm.api.ProgramState;

/**
 * Every message that crosses the wire, in one ZeroMQ frame: a binary body ({@link BinaryBodies}),
 * or a JSON object whose {@code type} names the record ({@link JsonBodies}); see {@link MessageCodec}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface Message {

    /**
     * Slave to master, over a connection made with the join token's key: enroll this node's own
     * key under its id. The only message such a connection may send.
     */
    record Enroll(String nodeId, String name, String publicKey) implements Message {
        public Enroll {
            checkText("nodeId", nodeId, 64);
            checkText("name", name, 128);
            checkText("publicKey", publicKey, 40);
        }
    }

    /** Master to slave: its key is enrolled as {@code nodeId}; {@code inPlace}: new, this connection is the node's. */
    record Enrolled(String nodeId, boolean inPlace) implements Message {
        public Enrolled {
            checkText("nodeId", nodeId, 64);
        }
    }

    /** Master to slave: an enrollment or a registration refused, and why (revoked, another's id). */
    record Refused(String reason) implements Message {
        public Refused {
            checkText("reason", reason, 500);
        }
    }

    /**
     * Slave to master, first thing on every (re)connection: who this node is, its labels within
     * {@link Labels}' bounds; {@code machine}: a child machine's master, joined as one node.
     */
    record Register(String nodeId, String name, Map<String, String> labels, String os, String arch,
            String version, boolean machine) implements Message {
        public Register(String nodeId, String name, Map<String, String> labels, String os, String arch,
                String version) {
            this(nodeId, name, labels, os, arch, version, false);
        }

        public Register {
            checkText("nodeId", nodeId, 64);
            checkText("name", name, 128);
            checkText("os", os, 64);
            checkText("arch", arch, 64);
            checkText("version", version, 64);
            labels = checkLabels(labels);
        }
    }

    /**
     * Master to slave: registered. The master's timing, and of a replicated machine every
     * master's address (for the slave to keep) and the leader's term: a slave that saw a later
     * term takes no welcome of an earlier one.
     */
    record Welcome(String masterId, long heartbeatMs, long livenessMs, List<String> masters, long term)
            implements Message {
        public Welcome {
            checkText("masterId", masterId, 64);
            masters = checkMasters(masters);
        }

        /** A single master's welcome. */
        public Welcome(String masterId, long heartbeatMs, long livenessMs) {
            this(masterId, heartbeatMs, livenessMs, List.of(), 0);
        }
    }

    /**
     * Master to slave or admin client: this master does not lead; {@code leader} is the address of
     * the one that does, empty while there is none. The peer goes there (or to another master).
     */
    record NotLeader(String leader) implements Message {
        public NotLeader {
            leader = leader == null ? "" : leader;
            if (leader.length() > 300) {
                throw new IllegalArgumentException("leader is over 300 characters");
            }
        }
    }

    /** Master to slave: the master does not know this connection (it restarted): register again. */
    record Reregister() implements Message {
    }

    /** Either way: I am alive. Any message counts as much as this one. */
    record Heartbeat() implements Message {
    }

    /**
     * Admin client to master: run one shell command. {@code uploads} maps the index of an
     * argument to the id of a file uploaded before ({@link Upload}): the master puts the
     * uploaded file's path there.
     */
    record AdminRequest(String requestId, List<String> command, boolean json, Map<Integer, String> uploads)
            implements Message {
        public AdminRequest {
            checkText("requestId", requestId, 64);
            command = List.copyOf(command);
            uploads = uploads == null ? Map.of() : Map.copyOf(uploads);
            if (uploads.size() > 8) {
                throw new IllegalArgumentException("over 8 uploads");
            }
            for (Map.Entry<Integer, String> u : uploads.entrySet()) {
                if (u.getKey() < 0 || u.getKey() >= command.size()) {
                    throw new IllegalArgumentException("upload for argument " + u.getKey() + " of " + command.size());
                }
                checkText("upload id", u.getValue(), 64);
            }
        }

        public AdminRequest(String requestId, List<String> command, boolean json) {
            this(requestId, command, json, Map.of());
        }
    }

    /** Master to admin client: the command's output, or its error in one line. */
    record AdminReply(String requestId, boolean ok, String output, String error) implements Message {
    }

    /** A message whose bulk bytes travel in a second frame, outside its JSON. */
    sealed interface WithData extends Message {
        byte[] data();

        /** This message carrying {@code data}, as read from the data frame. */
        Message withData(byte[] data);
    }

    /**
     * Master to slave: every program this node should have and in which state, whole. A node
     * converges to the latest one it gets; nothing is replayed.
     */
    record Desired(long revision, List<DesiredProgram> programs) implements Message {
        public Desired {
            programs = List.copyOf(programs);
            if (programs.size() > 4096) {
                throw new IllegalArgumentException("over 4096 programs");
            }
        }
    }

    /**
     * One program in {@link Desired}: {@code state} is installed, active, stopped or unsupported.
     * {@code attempt} counts the operator's actions on the program: a node that failed at an
     * attempt does not try again until a later one.
     */
    record DesiredProgram(String name, String version, String sha256, long size, ProgramState state,
            long attempt) {
        public DesiredProgram {
            checkName(name);
            checkText("version", version, 128);
            checkSha(sha256);
            if (size <= 0) {
                throw new IllegalArgumentException("size must be positive");
            }
            checkState(state);
        }
    }

    /** Slave to master: what this node has now, whole. */
    record Report(long revision, List<ProgramStatus> programs) implements Message {
        public Report {
            programs = List.copyOf(programs);
            if (programs.size() > 4096) {
                throw new IllegalArgumentException("over 4096 programs");
            }
        }
    }

    /** One program on a node: its bundle's digest, its state, if failed why, and the attempt it answers. */
    record ProgramStatus(String name, String version, String sha256, ProgramState state, String error,
            long attempt) {
        /** Longest error carried; a sender cuts longer ones. */
        public static final int MAX_ERROR = 1024;

        public ProgramStatus {
            checkName(name);
            checkText("version", version, 128);
            checkSha(sha256);
            checkState(state);
            error = error == null ? "" : error;
            if (error.length() > MAX_ERROR) {
                throw new IllegalArgumentException("error is over " + MAX_ERROR + " characters");
            }
        }
    }

    /** Slave to master: send me these bytes of the bundle with that digest (one credit). */
    record Fetch(String sha256, long offset, int length) implements Message {
        public static final int MAX_LENGTH = 1 << 20;

        public Fetch {
            checkSha(sha256);
            if (offset < 0 || length <= 0 || length > MAX_LENGTH) {
                throw new IllegalArgumentException("bad range " + offset + "+" + length);
            }
        }
    }

    /** Master to slave: bytes of a bundle, answering one {@link Fetch}. */
    record Chunk(String sha256, long offset, long size, @JsonIgnore byte[] data) implements WithData {
        public Chunk {
            checkSha(sha256);
            if (offset < 0 || size <= 0 || offset >= size) {
                throw new IllegalArgumentException("bad chunk " + offset + " of " + size);
            }
        }

        @JsonCreator
        static Chunk header(@JsonProperty("sha256") String sha256, @JsonProperty("offset") long offset,
                @JsonProperty("size") long size) {
            return new Chunk(sha256, offset, size, null);
        }

        @Override
        public Message withData(byte[] bytes) {
            return new Chunk(sha256, offset, size, bytes);
        }
    }

    /** Admin client to master: part of a file that a command will name (see {@link AdminRequest}). */
    record Upload(String uploadId, String fileName, long offset, long size, @JsonIgnore byte[] data)
            implements WithData {
        public Upload {
            checkText("uploadId", uploadId, 64);
            checkText("fileName", fileName, 255);
            if (offset < 0 || size < 0 || offset > size) {
                throw new IllegalArgumentException("bad upload range " + offset + " of " + size);
            }
        }

        @JsonCreator
        static Upload header(@JsonProperty("uploadId") String uploadId, @JsonProperty("fileName") String fileName,
                @JsonProperty("offset") long offset, @JsonProperty("size") long size) {
            return new Upload(uploadId, fileName, offset, size, null);
        }

        @Override
        public Message withData(byte[] bytes) {
            return new Upload(uploadId, fileName, offset, size, bytes);
        }
    }

    /** Master to admin client: how much of an upload has arrived, or why it was refused. */
    record UploadAck(String uploadId, long received, String error) implements Message {
    }

    /**
     * Master to slave: call a native function of a program. Arguments are JSON numbers, booleans
     * and strings; the slave converts them by the function's declared types again. {@code timeoutMs}
     * is how long the call is worth running (the caller's time to live, at most its timeout).
     */
    record Call(String callId, String program, String function, List<Object> args, long timeoutMs)
            implements Message {
        public Call {
            checkText("callId", callId, 64);
            checkName(program);
            checkText("function", function, 128);
            args = checkArgs(args);
            checkTimeout(timeoutMs);
        }
    }

    /** Slave to master: a call's result (a number, boolean, string or null), or its error in one line. */
    record CallResult(String callId, boolean ok, Object value, String error) implements Message {
        public CallResult {
            checkText("callId", callId, 64);
            checkValue(value);
            error = checkError(error);
        }
    }

    /**
     * Slave to master: the program's C code calls {@code function}, one of the JavaScript functions
     * its manifest exports, and waits up to {@code timeoutMs} for the {@link ExportResult}.
     */
    record ExportCall(String callId, String program, String function, List<Object> args, long timeoutMs)
            implements Message {
        public ExportCall {
            checkText("callId", callId, 64);
            checkName(program);
            checkText("function", function, 128);
            args = checkArgs(args);
            checkTimeout(timeoutMs);
        }
    }

    /**
     * Master to slave: an export call's result (a number, boolean, string or null) with code 0, or
     * a negative code of {@code sdm.h} ({@code SDM_E*}) and the error in one line.
     */
    record ExportResult(String callId, int code, Object value, String error) implements Message {
        public ExportResult {
            checkText("callId", callId, 64);
            checkValue(value);
            error = checkError(error);
            if (code > 0 || code < -64) {
                throw new IllegalArgumentException("code must be 0 or an error code of sdm.h");
            }
        }
    }

    /**
     * Slave to master: posts ({@link Post}), in the order the C code made them, numbered as
     * {@link Event}s are: acknowledged ({@link PostAck}), and one seen already dropped. Each is
     * worth delivering for {@code ttlMs} after {@code atMs}, on the slave's clock.
     */
    record Posts(long epoch, List<Post> posts) implements Message {
        public static final int MAX_POSTS = 256;
        public Posts {
            if (epoch <= 0) {
                throw new IllegalArgumentException("epoch must be positive");
            }
            posts = List.copyOf(posts == null ? List.of() : posts);
            if (posts.isEmpty() || posts.size() > MAX_POSTS) {
                throw new IllegalArgumentException("posts must hold 1 to " + MAX_POSTS);
            }
        }
    }

    /** Master to slave: every post of that run of the slave up to {@code upTo} has arrived. */
    record PostAck(long epoch, long upTo) implements Message {
    }

    /**
     * Slave to master: something a program said or suffered on the slave ({@code log} or
     * {@code error}), raised at {@code atMs} on the slave's clock and worth delivering for
     * {@code ttlMs} after that; queued while the master is away. {@code seq} numbers the events
     * of one run ({@code epoch}) of the slave: the master acknowledges them ({@link EventAck})
     * and drops one it has seen, so that an event sent twice is shown once.
     */
    record Event(long epoch, long seq, String program, String level, String text, long atMs, long ttlMs)
            implements Message {
        public static final int MAX_TEXT = 2_000;
        public Event {
            if (epoch <= 0 || seq <= 0) {
                throw new IllegalArgumentException("epoch and seq must be positive");
            }
            checkName(program);
            if (!"log".equals(level) && !"error".equals(level)) {
                throw new IllegalArgumentException("level must be log or error");
            }
            text = text == null ? "" : text;
            if (text.length() > MAX_TEXT) {
                throw new IllegalArgumentException("text is over " + MAX_TEXT + " characters");
            }
            if (atMs <= 0 || ttlMs <= 0) {
                throw new IllegalArgumentException("atMs and ttlMs must be positive");
            }
        }
    }

    /** Master to slave: every event of that run of the slave up to {@code upTo} has arrived. */
    record EventAck(long epoch, long upTo) implements Message {
    }

    /** What machines stacked under one another say besides what a slave says: {@link StackMessages}. */
    non-sealed interface Stacking extends Message {
    }

    /** Slave to master: the slave's own counters (expired messages, events, its programs' calls to JS). */
    record NodeCounters(Map<String, Long> counters) implements Message {
        public static final int MAX_COUNTERS = 256;
        public NodeCounters {
            counters = checkCounters(counters, MAX_COUNTERS);
        }
    }
}
