package sdm.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.testkit.Ports;

/**
 * The deploy baseline's sending side, in the harness's process: a JeroMQ ROUTER with CURVE and
 * two I/O threads, as the master's endpoint has, serving the chunks that {@link PushReceiver}
 * processes ask for, each read from the file when asked (as the master reads a bundle). No
 * JSON, no envelopes, no store, no framework: the bytes, the credit, the disk work a slave does
 * on them, and nothing else. The ROUTER belongs to the thread that made it.
 */
final class RawPush implements AutoCloseable {

    /** One push: when it began and ended on this machine's clock, and each receiver's own times. */
    record Result(long startMs, long endMs, List<Long> firstFetchMs, List<Long> lastWriteMs) {
        double seconds() {
            return (endMs - startMs) / 1000.0;
        }
    }

    private final ZContext context = new ZContext(2);
    private final ZMQ.Socket router;
    private final List<byte[]> peers = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();

    private RawPush(Bench bench, Path dir, List<String> jvmFlags, int receivers) throws Exception {
        ZMQ.Curve.KeyPair keys = ZMQ.Curve.generateKeyPair();
        router = context.createSocket(SocketType.ROUTER);
        router.setCurveServer(true);
        router.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey));
        router.setSndHWM(1_000);
        int port = Ports.free();
        router.bind("tcp://127.0.0.1:" + port);
        for (int i = 1; i <= receivers; i++) {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(jvmFlags);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), PushReceiver.class.getName(),
                    "" + port, keys.publicKey, dir.resolve("receiver-" + i).toString()));
            bench.start(dir, command, "receiver-" + i);
        }
        router.setReceiveTimeOut(120_000);
        while (peers.size() < receivers) {
            byte[] id = router.recv(0);
            if (id == null) {
                throw new IOException("only " + peers.size() + " of " + receivers + " receivers said hello within "
                        + "120 s; see receiver-N.err in " + dir);
            }
            String[] hello = router.recvStr(0).split(" ");
            if (!hello[0].equals("hello")) {
                throw new IOException("a receiver began with " + hello[0]);
            }
            peers.add(id);
            pids.add(Long.parseLong(hello[1]));
        }
    }

    /** Starts the receivers with these JVM flags, and returns once every one has connected. */
    static RawPush start(Bench bench, Path dir, List<String> jvmFlags, int receivers) throws Exception {
        return new RawPush(bench, dir, jvmFlags, receivers);
    }

    /** The receivers' process ids, in the order they connected. */
    List<Long> pids() {
        return List.copyOf(pids);
    }

    /** Offers the file to every receiver at once; returns when each has acknowledged it whole. */
    Result push(Path file, String sha256) throws IOException {
        long size = Files.size(file);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            index.put(java.util.HexFormat.of().formatHex(peers.get(i)), i);
        }
        Long[] firstFetch = new Long[peers.size()];
        Long[] lastWrite = new Long[peers.size()];
        int done = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = System.currentTimeMillis();
            for (byte[] peer : peers) {
                router.send(peer, ZMQ.SNDMORE);
                router.send("push " + size + " " + sha256);
            }
            while (done < peers.size()) {
                byte[] id = router.recv(0);
                if (id == null) {
                    throw new IOException("no word from the receivers for 120 s; " + done + " of " + peers.size()
                            + " done");
                }
                String[] message = router.recvStr(0).split(" ");
                switch (message[0]) {
                    case "fetch" -> {
                        long offset = Long.parseLong(message[1]);
                        ByteBuffer chunk = ByteBuffer.allocate(Integer.parseInt(message[2]));
                        while (chunk.hasRemaining() && ch.read(chunk, offset + chunk.position()) > 0) {
                            // positional reads may return less than asked
                        }
                        router.send(id, ZMQ.SNDMORE);
                        router.send("chunk " + offset, ZMQ.SNDMORE);
                        router.send(chunk.array(), 0);
                    }
                    case "done" -> {
                        if (!message[1].equals(sha256)) {
                            throw new IOException("a receiver got digest " + message[1] + ", not " + sha256);
                        }
                        int i = index.get(java.util.HexFormat.of().formatHex(id));
                        firstFetch[i] = Long.parseLong(message[2]);
                        lastWrite[i] = Long.parseLong(message[3]);
                        done++;
                    }
                    default -> throw new IOException("a receiver said: " + String.join(" ", message));
                }
            }
            return new Result(start, System.currentTimeMillis(), List.of(firstFetch), List.of(lastWrite));
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
