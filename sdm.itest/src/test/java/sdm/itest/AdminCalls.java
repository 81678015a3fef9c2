package sdm.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.AdminClient;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * Shell commands on a running master through the real admin client code, in this JVM, so
 * that a test can poll without starting a JVM per question ({@code bin/sdm client} is tested
 * as a process elsewhere).
 */
final class AdminCalls {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final String masterKey;
    private final CurveKeyPair admin;

    AdminCalls(Path masterData) throws IOException {
        this.address = read(masterData, NodeFiles.MASTER_ENDPOINT);
        this.masterKey = read(masterData, NodeFiles.MASTER_PUBLIC_KEY);
        this.admin = CurveKeyPair.fromSecret(read(masterData, NodeFiles.ADMIN_KEY));
    }

    private static String read(Path dir, String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8).strip();
    }

    JsonNode json(String... command) throws TransportException, IOException {
        Message.AdminReply reply = AdminClient.execute(address, masterKey, admin, List.of(command), true,
                Duration.ofSeconds(30));
        if (!reply.ok()) {
            throw new AssertionError(String.join(" ", command) + " failed: " + reply.error());
        }
        return JSON.readTree(reply.output());
    }

    /** The reply as it is, for commands expected to fail. */
    Message.AdminReply reply(String... command) throws TransportException {
        return AdminClient.execute(address, masterKey, admin, List.of(command), true, Duration.ofSeconds(30));
    }

    /** Packs {@code script} as a master-only program, installs and starts it; a refusal fails the test. */
    void installScript(java.nio.file.Path work, String name, String script, String... grants) throws Exception {
        java.nio.file.Path archive = TestPrograms.packScript(work, name, script, List.of(grants));
        List<String> command = new java.util.ArrayList<>(List.of("sdm:install", "--start"));
        if (grants.length > 0) {
            command.addAll(List.of("--grant", String.join(",", grants)));
        }
        command.add(archive.toString());
        Message.AdminReply r = reply(command.toArray(String[]::new));
        if (!r.ok()) {
            throw new AssertionError("installing " + name + ": " + r.error());
        }
    }

    /** A program's log, its last 1,000 lines; a refusal fails the test. */
    String log(String name) throws TransportException {
        Message.AdminReply r = reply("sdm:log", "--lines", "1000", name);
        if (!r.ok()) {
            throw new AssertionError("sdm:log " + name + ": " + r.error());
        }
        return r.output();
    }

    /** One program as {@code sdm:app --json} shows it, or null if it is not installed. */
    JsonNode app(String name) throws TransportException, IOException {
        Message.AdminReply r = reply("sdm:app", name);
        return r.ok() ? JSON.readTree(r.output()) : null;
    }

    /** node name to that node's state for the program, master included. */
    java.util.Map<String, String> states(JsonNode app) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        out.put("master", app.get("master").get("state").asText());
        app.get("nodes").forEach(n -> out.put(n.get("name").asText(), n.get("state").asText()));
        return out;
    }

    List<JsonNode> nodes() throws TransportException, IOException {
        List<JsonNode> out = new ArrayList<>();
        json("sdm:nodes").forEach(out::add);
        return out;
    }

    JsonNode node(String name) throws TransportException, IOException {
        return nodes().stream().filter(n -> n.get("name").asText().equals(name)).findFirst().orElse(null);
    }

    long onlineCount() throws TransportException, IOException {
        return nodes().stream().filter(n -> n.get("online").asBoolean()).count();
    }

    long counter(String name) throws TransportException, IOException {
        return json("sdm:master").get("counters").path(name).asLong();
    }
}
