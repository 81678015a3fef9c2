package sdm.slave.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

/**
 * The desired state as slaves kept it before {@link DesiredStateFile}: {@code desired.json},
 * in format 1 ({@code {"format": 1, "revision": 12, "programs": [{"name": ..., "version": ...,
 * "sha256": ..., "size": ..., "state": "active", "attempt": 3}]}}) or as the wire's
 * {@code Desired} message. Read once, on the first start after an upgrade; the JSON library is
 * loaded only then.
 */
final class DesiredStateJson {

    static final String FILE = "desired.json";
    static final int FORMAT = 1;

    private DesiredStateJson() {
    }

    /**
     * The state kept, if there is one.
     *
     * @throws IOException if the file cannot be read or does not hold a desired state
     */
    static Optional<Message.Desired> load(DataFolder folder) throws IOException {
        Optional<String> text = folder.read(FILE);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        JsonNode root = new ObjectMapper().readTree(text.get());
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
