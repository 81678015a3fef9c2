package sdm.master.internal;

import java.io.IOException;
import java.util.logging.Logger;

import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;

/**
 * The master's secrets in its data folder, created on first start:
 * {@code master.key} (its CURVE secret key) and {@code master.pub}, {@code join.token} for slaves,
 * {@code admin.key} (the admin client's secret key). Secrets are owner-only files.
 */
record MasterKeys(CurveKeyPair server, JoinToken joinToken, CurveKeyPair admin, boolean created) {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    static final String SERVER_KEY = "master.key";

    static MasterKeys loadOrCreate(DataFolder data) throws IOException {
        boolean created = false;
        CurveKeyPair server;
        var secret = data.readSecret(SERVER_KEY);
        if (secret.isPresent()) {
            server = CurveKeyPair.fromSecret(secret.get());
        } else {
            server = CurveKeyPair.generate();
            data.write(SERVER_KEY, server.secretKey(), true);
            created = true;
        }
        data.write(NodeFiles.MASTER_PUBLIC_KEY, server.publicKey(), false);

        JoinToken token;
        var tokenText = data.readSecret(NodeFiles.JOIN_TOKEN);
        if (tokenText.isPresent() && JoinToken.parse(tokenText.get()).masterPublicKey().equals(server.publicKey())) {
            token = JoinToken.parse(tokenText.get());
        } else {
            if (tokenText.isPresent()) {
                LOG.warning("join.token does not match master.key; writing a new join token");
            }
            token = JoinToken.create(server.publicKey());
            data.write(NodeFiles.JOIN_TOKEN, token.text(), true);
            created = true;
        }

        CurveKeyPair admin;
        var adminSecret = data.readSecret(NodeFiles.ADMIN_KEY);
        if (adminSecret.isPresent()) {
            admin = CurveKeyPair.fromSecret(adminSecret.get());
        } else {
            admin = CurveKeyPair.generate();
            data.write(NodeFiles.ADMIN_KEY, admin.secretKey(), true);
            created = true;
        }
        return new MasterKeys(server, token, admin, created);
    }

    /** These keys as the change that gives them to every master of a replicated machine. */
    StateChange.MachineKeys change() {
        return new StateChange.MachineKeys(server.secretKey(), joinToken.text(), admin.secretKey());
    }
}
