package sdm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.transport.zmq.AdminAccess;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.InvalidMessageException;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * Shell commands on a master over one admin connection kept open, for asking often: each
 * {@code AdminClient} call (and {@code bin/sdm client}) makes a new connection, whose CURVE
 * handshake costs the master about as much CPU as a slave joining, and which JeroMQ now and
 * then holds for a second before redialing. One command at a time; not thread-safe.
 */
final class AdminConnection implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long REPLY_MS = 30_000;

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket dealer;
    private final MessageCodec codec = new MessageCodec(64 << 20);

    /** Connects with the admin key in the master's data folder. */
    AdminConnection(Path masterData) throws IOException {
        AdminAccess access = AdminAccess.fromDataFolder(masterData, null);
        CurveKeyPair keys = access.keys();
        context.setLinger(0);
        dealer = context.createSocket(SocketType.DEALER);
        dealer.setCurveServerKey(ZMQ.Curve.z85Decode(access.masterPublicKey()));
        dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
        dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
        dealer.setHandshakeIvl(1_000);
        dealer.setReconnectIVL(100);
        dealer.setMaxMsgSize(64L << 20);
        dealer.setReceiveTimeOut(200);
        dealer.connect("tcp://" + access.address());
    }

    /**
     * Runs a command with {@code --json} output and parses what it printed.
     *
     * @throws IOException if the master does not answer within 30 s or the command fails
     */
    JsonNode json(String... command) throws IOException {
        return JSON.readTree(execute(true, REPLY_MS, command));
    }

    /**
     * Runs a command and returns what it printed.
     *
     * @throws IOException if the master does not answer within {@code timeoutMs} or the command fails
     */
    String text(long timeoutMs, String... command) throws IOException {
        return execute(false, timeoutMs, command);
    }

    private String execute(boolean json, long timeoutMs, String... command) throws IOException {
        String id = UUID.randomUUID().toString();
        dealer.send(codec.seal(new Message.AdminRequest(id, List.of(command), json)), 0);
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            byte[] frame = dealer.recv(0);
            if (frame == null) {
                continue;
            }
            try {
                if (codec.open(frame, null).message() instanceof Message.AdminReply r && id.equals(r.requestId())) {
                    if (!r.ok()) {
                        throw new IOException(String.join(" ", command) + ": " + r.error());
                    }
                    return r.output();
                }
            } catch (InvalidMessageException e) {
                throw new IOException("the master answered " + String.join(" ", command) + " with " + e.getMessage());
            }
        }
        throw new IOException("no answer to " + String.join(" ", command) + " within " + timeoutMs / 1000 + " s");
    }

    @Override
    public void close() {
        context.close();
    }
}
