package sdm.stack.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;

import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Labels;

/**
 * How a child machine joins its parent: the parent's masters, its join token (kept in
 * {@code DATA/parent.token} after the first start), the child's own key towards the parent
 * ({@code DATA/uplink.key}) and whether the parent enrolled it ({@code DATA/uplink.enrolled},
 * the public key of the parent that did), and the child's labels at the parent.
 */
record UplinkSettings(Path data, List<String> parents, JoinToken token, CurveKeyPair ownKeys, boolean enrolled,
        Map<String, String> labels, long heartbeatMs, long livenessMs) {

    static final String TOKEN = "parent.token";
    static final String KEY = "uplink.key";
    static final String ENROLLED = "uplink.enrolled";

    static UplinkSettings from(BundleContext context) throws IOException {
        String parents = context.getProperty(NodeProperties.PARENT);
        if (parents == null || parents.isBlank()) {
            throw new IllegalArgumentException("no parent given (" + NodeProperties.PARENT + ")");
        }
        String dataProp = context.getProperty(NodeProperties.DATA);
        Path root = Path.of(dataProp == null ? NodeFiles.DEFAULT_MASTER_DATA : dataProp).toAbsolutePath();
        DataFolder data = new DataFolder(root);
        String tokenText = context.getProperty(NodeProperties.PARENT_TOKEN);
        if (tokenText == null || tokenText.isBlank()) {
            tokenText = data.readSecret(TOKEN).orElseThrow(() -> new IllegalArgumentException(
                    "no join token of the parent given (--token) and none in " + root.resolve(TOKEN)));
        }
        JoinToken token;
        try {
            token = JoinToken.parse(tokenText.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad join token of the parent: " + e.getMessage());
        }
        data.write(TOKEN, token.text(), true);
        String labels = context.getProperty(NodeProperties.PARENT_LABELS);
        return new UplinkSettings(root, Arrays.stream(parents.split(",")).map(String::strip).toList(), token,
                CurveKeyPair.kept(data, KEY), data.read(ENROLLED).map(token.masterPublicKey()::equals).orElse(false),
                Labels.parse(labels == null ? "" : labels, NodeProperties.PARENT_LABELS),
                millis(context, NodeProperties.HEARTBEAT_MS, 1_000), millis(context, NodeProperties.LIVENESS_MS, 3_000));
    }

    private static long millis(BundleContext context, String key, long fallback) {
        String v = context.getProperty(key);
        return v == null ? fallback : Long.parseLong(v.strip());
    }
}
