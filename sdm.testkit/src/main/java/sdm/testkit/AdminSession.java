package sdm.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.transport.zmq.AdminAccess;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * Shell commands on a running master through the real admin client, in this JVM, with the
 * access in the master's data folder: a test or a benchmark can poll without starting a JVM per
 * question ({@code bin/sdm client} itself is tested as a process). Each command is a connection.
 */
public final class AdminSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofSeconds(30);

    private final AdminAccess access;

    /** The session of the master whose data folder is {@code masterData}. */
    public AdminSession(Path masterData) throws IOException {
        this(masterData, null);
    }

    /** The session of replicated masters, {@code addresses} ({@code HOST:PORT,...}), following the leader. */
    public AdminSession(Path masterData, String addresses) throws IOException {
        this.access = AdminAccess.fromDataFolder(masterData, addresses);
    }

    /** One command and the master's reply as it is, refusal included. */
    public Message.AdminReply reply(Duration timeout, boolean json, String... command) throws TransportException {
        return access.execute(List.of(command), json, timeout);
    }

    /** One command with {@code --json} output, its reply as it is. */
    public Message.AdminReply reply(String... command) throws TransportException {
        return reply(REPLY, true, command);
    }

    /**
     * One command with {@code --json} output, parsed.
     *
     * @throws TransportException if the master refuses it, with the command and its error
     */
    public JsonNode json(String... command) throws TransportException, IOException {
        return JSON.readTree(ok(reply(command), command));
    }

    /** One command's text output, waiting up to 10 minutes (an install of a big program). */
    public String text(String... command) throws TransportException {
        return text(Duration.ofMinutes(10), command);
    }

    /** One command's text output, waiting up to {@code timeout}; a refusal is a {@link TransportException}. */
    public String text(Duration timeout, String... command) throws TransportException {
        return ok(reply(timeout, false, command), command);
    }

    private static String ok(Message.AdminReply r, String... command) throws TransportException {
        if (!r.ok()) {
            throw new TransportException(String.join(" ", command) + ": " + r.error());
        }
        return r.output();
    }

    /** Packs {@code script} as a master-only program, installs and starts it; a refusal is an error. */
    public void installScript(Path work, String name, String script, String... grants) throws Exception {
        Path archive = TestPrograms.packScript(work, name, script, List.of(grants));
        List<String> command = new ArrayList<>(List.of("sdm:install", "--start"));
        if (grants.length > 0) {
            command.addAll(List.of("--grant", String.join(",", grants)));
        }
        command.add(archive.toString());
        ok(reply(command.toArray(String[]::new)), "installing", name);
    }

    /** A program's log, its last 1,000 lines. */
    public String log(String name) throws TransportException {
        return ok(reply("sdm:log", "--lines", "1000", name), "sdm:log", name);
    }

    /** One program as {@code sdm:app --json} shows it, or null if it is not installed. */
    public JsonNode app(String name) throws TransportException, IOException {
        Message.AdminReply r = reply("sdm:app", name);
        return r.ok() ? JSON.readTree(r.output()) : null;
    }

    /** Node name to that node's state for the program, {@code master} included. */
    public Map<String, String> states(JsonNode app) {
        Map<String, String> out = new TreeMap<>();
        out.put("master", app.get("master").get("state").asText());
        app.get("nodes").forEach(n -> out.put(n.get("name").asText(), n.get("state").asText()));
        return out;
    }

    public List<JsonNode> nodes() throws TransportException, IOException {
        List<JsonNode> out = new ArrayList<>();
        json("sdm:nodes").forEach(out::add);
        return out;
    }

    /** The node named {@code name} as {@code sdm:nodes} shows it, or null. */
    public JsonNode node(String name) throws TransportException, IOException {
        return nodes().stream().filter(n -> n.get("name").asText().equals(name)).findFirst().orElse(null);
    }

    public long onlineCount() throws TransportException, IOException {
        return nodes().stream().filter(n -> n.get("online").asBoolean()).count();
    }

    /** One of the counters of {@code sdm:master}, 0 if it has not counted yet. */
    public long counter(String name) throws TransportException, IOException {
        return json("sdm:master").get("counters").path(name).asLong();
    }
}
