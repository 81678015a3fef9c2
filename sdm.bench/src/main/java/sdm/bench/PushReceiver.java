package sdm.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.api.node.Sha256;

/**
 * The deploy baseline's receiving process, started with a slave's own JVM flags: a JeroMQ
 * DEALER with CURVE, as a slave's link is, that fetches what {@link RawPush} offers the way a
 * slave fetches a bundle ({@value #CHUNK}-byte chunks, at most {@value #CREDIT} asked for and not
 * yet received), writes each chunk at its offset, and at the end does what a slave does: fsync,
 * SHA-256 read back from the file, rename. Then it acknowledges with the digest and its times.
 * <p>
 * Frames, text then data: {@code hello PID} (on connecting), {@code push SIZE SHA256},
 * {@code fetch OFFSET LENGTH}, {@code chunk OFFSET} + bytes, {@code done SHA256 FIRST_FETCH_MS
 * LAST_WRITE_MS} or {@code failed REASON}. Runs until its parent closes its standard input.
 */
public final class PushReceiver {

    static final int CHUNK = 256 << 10;
    static final int CREDIT = 8;

    private final ZMQ.Socket dealer;
    private final Path dir;
    private FileChannel file;
    private Path part;
    private long size;
    private String sha256;
    private int chunks;
    private int next;
    private int received;
    private long firstFetchMs;
    private long lastWriteMs;

    private PushReceiver(ZMQ.Socket dealer, Path dir) {
        this.dealer = dealer;
        this.dir = dir;
    }

    /** Arguments: the sender's port, its Z85 public key, the folder to write into. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Files.createDirectories(Path.of(args[2]));
        ParentWatch.onParentGone(() -> System.exit(0));
        try (ZContext context = new ZContext(1)) {
            ZMQ.Curve.KeyPair own = ZMQ.Curve.generateKeyPair();
            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(args[1]));
            dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(own.publicKey));
            dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(own.secretKey));
            dealer.connect("tcp://127.0.0.1:" + port);
            dealer.send("hello " + ProcessHandle.current().pid());
            new PushReceiver(dealer, dir).serve();
        }
    }

    private void serve() throws IOException {
        while (!Thread.currentThread().isInterrupted()) {
            String[] command = dealer.recvStr(0).split(" ");
            switch (command[0]) {
                case "push" -> begin(Long.parseLong(command[1]), command[2]);
                case "chunk" -> write(Long.parseLong(command[1]), dealer.recv(0));
                default -> throw new IOException("unknown command " + command[0]);
            }
        }
    }

    private void begin(long size, String sha256) throws IOException {
        this.size = size;
        this.sha256 = sha256;
        this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
        this.next = 0;
        this.received = 0;
        this.part = dir.resolve(sha256 + ".part");
        this.file = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        firstFetchMs = System.currentTimeMillis();
        for (int i = 0; i < CREDIT; i++) {
            fetchNext();
        }
    }

    private void fetchNext() {
        if (next < chunks) {
            long offset = (long) next * CHUNK;
            dealer.send("fetch " + offset + " " + Math.min(CHUNK, size - offset));
            next++;
        }
    }

    private void write(long offset, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            file.write(buffer, offset + buffer.position());
        }
        received++;
        lastWriteMs = System.currentTimeMillis();
        if (received < chunks) {
            fetchNext();
            return;
        }
        file.force(true);
        file.close();
        String actual = Sha256.ofFile(part);
        if (!actual.equals(sha256)) {
            dealer.send("failed digest " + actual);
            return;
        }
        Path kept = dir.resolve(sha256 + ".bin");
        Files.move(part, kept, StandardCopyOption.ATOMIC_MOVE);
        dealer.send("done " + actual + " " + firstFetchMs + " " + lastWriteMs);
        Files.delete(kept); // after the acknowledgement: the next push starts from an empty folder
    }
}
