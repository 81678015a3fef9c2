package sdm.master.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * One change of what the master keeps: the unit a replicated machine's masters agree on, in one
 * order, before any of them applies it. A single master applies each at once.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "change")
@JsonSubTypes({
    @JsonSubTypes.Type(value = StateChange.ProgramPut.class, name = "program"),
    @JsonSubTypes.Type(value = StateChange.ProgramRemoved.class, name = "programRemoved"),
    @JsonSubTypes.Type(value = StateChange.SlavesRecorded.class, name = "slaves"),
    @JsonSubTypes.Type(value = StateChange.MachineKeys.class, name = "keys"),
    @JsonSubTypes.Type(value = StateChange.PrivateFile.class, name = "privateFile")})
sealed interface StateChange {

    /** A program recorded as the operator wants it now (installed, updated, started, stopped). */
    record ProgramPut(ProgramStore.Program program) implements StateChange {
    }

    record ProgramRemoved(String name) implements StateChange {
    }

    /**
     * Part of a bundle's bytes, for the masters that do not hold it yet; the bundle is complete
     * (and checked against its digest) once chunks covered all {@code size} bytes.
     */
    record BundleChunk(String sha256, long size, long offset, byte[] bytes) implements StateChange {
    }

    /** Slaves enrolled or revoked: each the whole of one slave as it is now. */
    record SlavesRecorded(List<Enrollments.Slave> slaves) implements StateChange {
    }

    /** A file of a program's private folder replaced whole: its {@code sdm.store}. */
    record PrivateFile(String program, String name, byte[] content) implements StateChange {
    }

    /** The machine's secrets, shared by its masters: the CURVE server key, the join token, the admin key. */
    record MachineKeys(String serverSecret, String joinToken, String adminSecret) implements StateChange {
        @Override
        public String toString() {
            return "MachineKeys[secrets not shown]";
        }
    }

    /** The bytes of a change in the log: a bundle chunk raw after a short header, everything else JSON. */
    final class Codec {

        private static final byte JSON_FORMAT = 'J';
        private static final byte CHUNK_FORMAT = 'C';
        private static final int SHA_CHARS = 64;
        static final ObjectMapper JSON = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
                .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING).build();

        private Codec() {
        }

        static byte[] encode(StateChange change) throws IOException {
            if (change instanceof BundleChunk c) {
                ByteBuffer b = ByteBuffer.allocate(1 + SHA_CHARS + 16 + c.bytes().length);
                b.put(CHUNK_FORMAT).put(c.sha256().getBytes(StandardCharsets.US_ASCII)).putLong(c.size())
                        .putLong(c.offset()).put(c.bytes());
                return b.array();
            }
            byte[] json = JSON.writerFor(StateChange.class).writeValueAsBytes(change);
            byte[] out = new byte[json.length + 1];
            out[0] = JSON_FORMAT;
            System.arraycopy(json, 0, out, 1, json.length);
            return out;
        }

        /** @throws IOException with one line saying what is wrong with the bytes */
        static StateChange decode(byte[] bytes) throws IOException {
            if (bytes.length > 0 && bytes[0] == JSON_FORMAT) {
                try {
                    return JSON.readValue(bytes, 1, bytes.length - 1, StateChange.class);
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException("not a state change: " + sdm.api.node.ErrorLine.of(e));
                }
            }
            if (bytes.length >= 1 + SHA_CHARS + 16 && bytes[0] == CHUNK_FORMAT) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                b.get();
                byte[] sha = new byte[SHA_CHARS];
                b.get(sha);
                String digest = new String(sha, StandardCharsets.US_ASCII);
                long size = b.getLong();
                long offset = b.getLong();
                byte[] data = Arrays.copyOfRange(bytes, b.position(), bytes.length);
                if (!digest.matches("[0-9a-f]{64}") || offset < 0 || size < 0 || offset + data.length > size) {
                    throw new IOException("not a bundle chunk: digest " + digest + ", bytes " + offset + "+"
                            + data.length + " of " + size);
                }
                return new BundleChunk(digest, size, offset, data);
            }
            throw new IOException("not a state change: " + bytes.length + " bytes of an unknown format");
        }
    }
}
