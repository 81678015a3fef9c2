package sdm.slave.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.osgi.framework.BundleContext;

import sdm.transport.zmq.JoinToken;

/**
 * The slave's settings, from framework properties set by the launcher: {@code sdm.data},
 * {@code sdm.slave.master} (host:port), {@code sdm.slave.token}, {@code sdm.slave.name},
 * {@code sdm.slave.labels} (k=v,k=v), {@code sdm.heartbeat.ms}, {@code sdm.liveness.ms}.
 * The node id lives in {@code DATA/node.id}; a token given once is kept in {@code DATA/join.token}.
 */
record SlaveSettings(Path data, String nodeId, String name, Map<String, String> labels, String master,
        JoinToken token, long heartbeatMs, long livenessMs) {

    static SlaveSettings from(BundleContext context) throws IOException {
        Path data = Path.of(prop(context, "sdm.data", "sdm-data/slave")).toAbsolutePath();
        Files.createDirectories(data);
        String master = prop(context, "sdm.slave.master", null);
        if (master == null) {
            throw new IllegalArgumentException("no master given (sdm.slave.master)");
        }
        String tokenText = prop(context, "sdm.slave.token", null);
        Path tokenFile = data.resolve("join.token");
        if (tokenText == null && Files.exists(tokenFile)) {
            tokenText = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        }
        if (tokenText == null) {
            throw new IllegalArgumentException("no join token given and none in " + tokenFile);
        }
        JoinToken token;
        try {
            token = JoinToken.parse(tokenText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad join token: " + e.getMessage());
        }
        writeOwnerOnly(tokenFile, token.text());

        Path idFile = data.resolve("node.id");
        String nodeId = Files.exists(idFile) ? Files.readString(idFile, StandardCharsets.UTF_8).strip() : "";
        if (nodeId.isEmpty()) {
            nodeId = UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(idFile, nodeId + "\n", StandardCharsets.UTF_8);
        }
        String name = prop(context, "sdm.slave.name", null);
        if (name == null) {
            name = hostName() + "-" + nodeId;
        }
        return new SlaveSettings(data, nodeId, name, labels(prop(context, "sdm.slave.labels", "")), master, token,
                Long.parseLong(prop(context, "sdm.heartbeat.ms", "1000")),
                Long.parseLong(prop(context, "sdm.liveness.ms", "3000")));
    }

    static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a label is key=value, got '" + pair.strip() + "'");
            }
            labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return labels;
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).strip().equals(text)) {
            return;
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "slave";
        }
    }

    private static String prop(BundleContext context, String key, String fallback) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
