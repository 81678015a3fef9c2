package sdm.transport.zmq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;

/**
 * What an admin client needs to reach a master: its address, the public key it must present,
 * and the admin key pair. Read from the master's data folder, where the master writes them.
 *
 * @param address         {@code HOST:PORT}
 * @param masterPublicKey Z85 key the master must present
 * @param keys            the admin key pair
 */
public record AdminAccess(String address, String masterPublicKey, CurveKeyPair keys) {

    /**
     * Reads the access of the master whose data folder is {@code data}.
     *
     * @param address the master's address, or null for the one it wrote in {@code data}
     * @throws IOException naming the file that cannot be read and what it holds, or an admin key
     *                     that others may read
     * @throws IllegalArgumentException if the admin key there is not a CURVE secret key
     */
    public static AdminAccess fromDataFolder(Path data, String address) throws IOException {
        String at = address != null ? address
                : read(data, NodeFiles.MASTER_ENDPOINT, "the master's address (or give --master HOST:PORT)");
        String masterKey = read(data, NodeFiles.MASTER_PUBLIC_KEY, "the master's public key");
        String adminKey = read(data, NodeFiles.ADMIN_KEY, "the admin key");
        DataFolder.requireOwnerOnly(data.resolve(NodeFiles.ADMIN_KEY));
        return new AdminAccess(at, masterKey, CurveKeyPair.fromSecret(adminKey));
    }

    private static String read(Path data, String file, String what) throws IOException {
        Path p = data.resolve(file);
        if (!Files.isReadable(p)) {
            throw new IOException("cannot read " + what + " from " + p + " (give --data with the master's data folder)");
        }
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

    /** Runs one command on the master; see {@link AdminClient#execute}. */
    public Message.AdminReply execute(List<String> command, boolean json, Duration replyTimeout)
            throws TransportException {
        return AdminClient.execute(address, masterPublicKey, keys, command, json, replyTimeout, Map.of());
    }

    /** Runs one command on the master after uploading the local files it names; see {@link AdminClient#execute}. */
    public Message.AdminReply execute(List<String> command, boolean json, Duration replyTimeout,
            Map<Integer, Path> uploads) throws TransportException {
        return AdminClient.execute(address, masterPublicKey, keys, command, json, replyTimeout, uploads);
    }
}
