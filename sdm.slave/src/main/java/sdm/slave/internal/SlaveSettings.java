package sdm.slave.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.osgi.framework.BundleContext;

import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Labels;

/**
 * The slave's settings, from framework properties set by the launcher: {@code sdm.data},
 * {@code sdm.slave.master} (host:port), {@code sdm.slave.token}, {@code sdm.slave.name},
 * {@code sdm.slave.labels} (k=v,k=v), {@code sdm.heartbeat.ms}, {@code sdm.liveness.ms},
 * {@code sdm.events.queue} (events kept while the master is away, default 1000) and
 * {@code sdm.events.ttl.ms} (how long each is worth delivering, default 10 minutes) and
 * {@code sdm.reconnect.max.ms} (the longest wait between attempts to reach a lost master,
 * default 2 s: a slave is back soon after a partition heals).
 * The node id lives in {@code DATA/node.id}; a token given once is kept in {@code DATA/join.token}
 * (owner-only). The slave's own key pair is {@code DATA/slave.key} (owner-only, made on first
 * start); {@code DATA/enrolled} holds the public key of the master that enrolled it.
 */
record SlaveSettings(Path data, String nodeId, String name, Map<String, String> labels, String master,
        JoinToken token, CurveKeyPair ownKeys, boolean enrolled, long heartbeatMs, long livenessMs, int eventQueue,
        long eventTtlMs, long reconnectMaxMs) {

    /** The masters the last leader's welcome named, comma-separated: dialed after a restart. */
    static final String MASTERS = "masters";


    static final String SLAVE_KEY = "slave.key";
    static final String ENROLLED = "enrolled";

    static SlaveSettings from(BundleContext context) throws IOException {
        Path root = Path.of(prop(context, NodeProperties.DATA, NodeFiles.DEFAULT_SLAVE_DATA)).toAbsolutePath();
        DataFolder data = new DataFolder(root);
        String master = prop(context, NodeProperties.SLAVE_MASTER, null);
        if (master == null) {
            throw new IllegalArgumentException("no master given (sdm.slave.master)");
        }
        String tokenText = prop(context, NodeProperties.SLAVE_TOKEN, null);
        if (tokenText == null) {
            tokenText = data.readSecret(NodeFiles.JOIN_TOKEN).orElseThrow(
                    () -> new IllegalArgumentException("no join token given and none in the data folder"));
        }
        JoinToken token;
        try {
            token = JoinToken.parse(tokenText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad join token: " + e.getMessage());
        }
        data.write(NodeFiles.JOIN_TOKEN, token.text(), true);
        String nodeId = data.nodeId();
        String name = prop(context, NodeProperties.SLAVE_NAME, null);
        if (name == null) {
            name = hostName() + "-" + nodeId;
        }
        CurveKeyPair own = CurveKeyPair.kept(data, SLAVE_KEY);
        boolean enrolled = data.read(ENROLLED).map(token.masterPublicKey()::equals).orElse(false);
        return new SlaveSettings(root, nodeId, name, labels(prop(context, NodeProperties.SLAVE_LABELS, "")), master, token,
                own, enrolled,
                Long.parseLong(prop(context, NodeProperties.HEARTBEAT_MS, "1000")),
                Long.parseLong(prop(context, NodeProperties.LIVENESS_MS, "3000")),
                Integer.parseInt(prop(context, "sdm.events.queue", "1000")),
                Long.parseLong(prop(context, "sdm.events.ttl.ms", "600000")),
                Long.parseLong(prop(context, "sdm.reconnect.max.ms", "2000")));
    }

    static Map<String, String> labels(String text) {
        return Labels.parse(text, NodeProperties.SLAVE_LABELS);
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
