package sdm.slave.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

/**
 * The last desired state the master sent, kept in {@code desired.json} so that a slave that
 * restarts while its master is away runs what it ran. The file has a format of its own,
 * versioned ({@code "format": 1}) and written here field by field, so that a change of the
 * wire never changes what a slave finds on its disk:
 * <pre>{"format": 1, "revision": 12, "programs": [
 *   {"name": "hello", "version": "1.0.0", "sha256": "...", "size": 5120, "state": "active", "attempt": 3}]}</pre>
 * A file without {@code format}, the wire's {@code Desired} message as slaves once kept it, is
 * read as well and written anew at the next change.
 */
final class DesiredStateFile {

    static final String FILE = "desired.json";
    static final int FORMAT = 1;

    private final DataFolder folder;
    private final ObjectMapper json = new ObjectMapper();

    DesiredStateFile(DataFolder folder) {
        this.folder = folder;
    }

    void save(Message.Desired desired) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("revision", desired.revision());
        ArrayNode programs = root.putArray("programs");
        for (Message.DesiredProgram p : desired.programs()) {
            programs.addObject().put("name", p.name()).put("version", p.version()).put("sha256", p.sha256())
                    .put("size", p.size()).put("state", p.state().text()).put("attempt", p.attempt());
        }
        folder.write(FILE, json.writerWithDefaultPrettyPrinter().writeValueAsString(root), false);
    }

    /**
     * The state kept, if there is one.
     *
     * @throws IOException if the file cannot be read or does not hold a desired state
     */
    Optional<Message.Desired> load() throws IOException {
        Optional<String> text = folder.read(FILE);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        JsonNode root = json.readTree(text.get());
        int format = root.path("format").asInt(0);
        if (format > FORMAT || (format == 0 && !"desired".equals(root.path("type").asText()))) {
            throw new IOException(FILE + " is of a format this slave does not know (" + format + ")");
        }
        List<Message.DesiredProgram> programs = new ArrayList<>();
        try {
            JsonNode list = root.get("programs");
            if (list == null || !list.isArray()) {
                throw new IOException(FILE + ": 'programs' is missing or not a list");
            }
            for (JsonNode p : list) {
                programs.add(new Message.DesiredProgram(text(p, "name"), text(p, "version"), text(p, "sha256"),
                        number(p, "size"), ProgramState.of(text(p, "state")), number(p, "attempt")));
            }
            return Optional.of(new Message.Desired(number(root, "revision"), programs));
        } catch (IllegalArgumentException e) {
            throw new IOException(FILE + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException(FILE + ": '" + field + "' is missing or not text");
        }
        return v.asText();
    }

    private static long number(JsonNode node, String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IOException(FILE + ": '" + field + "' is missing or not a whole number");
        }
        return v.asLong();
    }
}
