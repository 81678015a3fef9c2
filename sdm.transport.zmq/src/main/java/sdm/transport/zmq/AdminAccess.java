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
 * @param address         {@code HOST:PORT}, or several comma-separated: the masters of a
 *                        replicated machine, tried in turn until the leader answers
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

    /**
     * By list of masters, the one that last ran a command in this JVM: the next command starts
     * there, rather than waiting again for a master that is down or cut off to time out.
     */
    private static final Map<String, String> LAST_LEADER = new java.util.concurrent.ConcurrentHashMap<>();

    /** How long a command goes on looking for the leader of replicated masters (an election takes 1-2 s). */
    static final long FIND_LEADER_MS = 10_000;

    /** Runs one command on the master; see {@link AdminClient#execute}. */
    public Message.AdminReply execute(List<String> command, boolean json, Duration replyTimeout)
            throws TransportException {
        return execute(command, json, replyTimeout, Map.of());
    }

    /**
     * Runs one command on the master after uploading the local files it names; see {@link
     * AdminClient#execute}. A master that does not lead names the one that does, which is asked
     * next; without a name (an election), the next of the list; naming itself (it starts to
     * serve), the same again a moment later, for a second at most.
     */
    public Message.AdminReply execute(List<String> command, boolean json, Duration replyTimeout,
            Map<Integer, Path> uploads) throws TransportException {
        List<String> masters = new java.util.ArrayList<>(List.of(address.split(",")));
        masters.replaceAll(String::strip);
        String at = LAST_LEADER.getOrDefault(address, masters.getFirst());
        long deadline = System.currentTimeMillis() + FIND_LEADER_MS;
        SelfNamedLeader selfNamed = new SelfNamedLeader(10); // ten pauses: a second
        while (true) {
            try {
                Message.AdminReply reply = AdminClient.execute(at, masterPublicKey, keys, command, json, replyTimeout,
                        uploads, masters.size() > 1);
                if (masters.size() > 1) {
                    LAST_LEADER.put(address, at);
                }
                return reply;
            } catch (NotLeaderAnswer e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                if (selfNamed.dialAgain(at, e.leader())) {
                    pause();
                } else if (e.leader().isEmpty() || e.leader().equals(at)) {
                    at = masters.get((masters.indexOf(at) + 1) % masters.size());
                    pause();
                } else {
                    at = e.leader();
                }
            } catch (TransportException e) {
                if (masters.size() == 1 || System.currentTimeMillis() > deadline || e.getMessage().contains("refused")) {
                    throw e;
                }
                at = masters.get((Math.max(0, masters.indexOf(at)) + 1) % masters.size());
                pause();
            }
        }
    }

    private static void pause() throws TransportException {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while looking for the leader");
        }
    }
}
