package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.api.node.NodeFiles;
import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.ProcFs;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * Hostile peers against a real master process with two real slaves: each test throws something
 * at the master's port and then checks that the master still serves, that the slaves were never
 * marked offline, and that the master's resident memory grew by less than {@link #RSS_BOUND_MB}.
 * The master runs with a fixed heap of {@link #MASTER_HEAP}, touched at start: whatever a peer
 * makes it hold on the heap must fit there (or the master would fail), and what its RSS still
 * gains is native memory and compiled code. Each test prints its figures for the security note.
 */
class HostilePeerIT {

    /** What a hostile peer may add to the master's RSS beyond its heap, at most, in these tests. */
    static final double RSS_BOUND_MB = 64;
    static final String MASTER_HEAP = "256m";
    private static final Map<String, String> SMALL_HEAP = Map.of("SDM_JAVA_OPTS", SdmProcess.SMALL_HEAP);

    @TempDir
    static Path work;
    private static final List<SdmProcess> processes = new ArrayList<>();
    private static SdmProcess master;
    private static AdminSession admin;
    private static int port;
    private long onlineSinceA;
    private long onlineSinceB;
    private double rssBefore;

    @BeforeAll
    static void startMachine() throws Exception {
        port = Ports.free();
        master = SdmProcess.master(work, port, "master", Map.of("SDM_JAVA_OPTS",
                "-Xms" + MASTER_HEAP + " -Xmx" + MASTER_HEAP + " -XX:+AlwaysPreTouch"));
        processes.add(master);
        String token = SdmProcess.joinToken(work.resolve("master"));
        processes.add(SdmProcess.slave(work, SMALL_HEAP, port, token, "slave-a"));
        processes.add(SdmProcess.slave(work, SMALL_HEAP, port, token, "slave-b"));
        admin = new AdminSession(work.resolve("master"));
        SharedMachine.online(admin, 2);
    }

    @AfterAll
    static void stopMachine() {
        processes.forEach(SdmProcess::close);
    }

    @BeforeEach
    void measure() throws Exception {
        SharedMachine.online(admin, 2);
        onlineSinceA = admin.node("slave-a").get("onlineSinceMs").asLong();
        onlineSinceB = admin.node("slave-b").get("onlineSinceMs").asLong();
        rssBefore = ProcFs.rssMb(master.pid());
    }

    /** The master serves, the slaves never dropped, its RSS within the bound; prints the figures. */
    private void masterUnharmed(String what) throws Exception {
        assertThat(master.isAlive()).isTrue();
        assertThat(admin.json("sdm:nodes")).hasSize(2);
        assertThat(admin.node("slave-a").get("online").asBoolean()).isTrue();
        assertThat(admin.node("slave-b").get("online").asBoolean()).isTrue();
        assertThat(admin.node("slave-a").get("onlineSinceMs").asLong()).as("slave-a never dropped").isEqualTo(onlineSinceA);
        assertThat(admin.node("slave-b").get("onlineSinceMs").asLong()).as("slave-b never dropped").isEqualTo(onlineSinceB);
        double after = ProcFs.rssMb(master.pid());
        System.out.printf("hostile: %s: master RSS %.1f -> %.1f MiB, %d open files%n", what, rssBefore, after,
                ProcFs.openFiles(master.pid()));
        assertThat(after - rssBefore).as("RSS growth, MiB").isLessThan(RSS_BOUND_MB);
    }

    @Test
    void aThousandHalfOpenConnectionsLeaveTheMasterServing() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                if (i % 2 == 0) {
                    // half of them start a ZMTP greeting and stop in the middle
                    s.getOutputStream().write(new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3});
                }
                sockets.add(s);
            }
            Waits.until("the master past its handshake interval with 1,000 connections open", Duration.ofSeconds(30),
                    Duration.ofMillis(500), () -> admin.counter("messagesIn"), n -> n > 0);
            masterUnharmed("1,000 half-open connections, held");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        masterUnharmed("1,000 half-open connections, closed");
    }

    @Test
    void craftedFramesBeforeTheHandshakeAreDroppedWithTheirConnection() throws Exception {
        List<byte[]> attacks = List.of(
                longFrame(Long.MAX_VALUE), longFrame(Long.MIN_VALUE), longFrame(-1L), longFrame(1L << 31),
                longFrame(2L << 30), shortFrame(255), "GET / HTTP/1.1\r\n\r\n".getBytes(), new byte[4096]);
        // a first round warms the master up (its heap grows to what it needs once); the second is measured
        craft(attacks, 25);
        rssBefore = ProcFs.rssMb(master.pid());
        craft(attacks, 25);
        masterUnharmed("200 connections with crafted frame sizes (2^63-1, negative, 2 GiB) and garbage, "
                + "after as many to warm up");
        assertThat(admin.counter("framesRefused")).as("impossible sizes refused").isPositive();
    }

    private static void craft(List<byte[]> attacks, int rounds) throws Exception {
        for (int round = 0; round < rounds; round++) {
            for (byte[] attack : attacks) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    OutputStream out = s.getOutputStream();
                    out.write(greeting());
                    out.write(attack);
                    out.flush();
                } catch (java.io.IOException e) {
                    // the master closed it first: what it should do
                }
            }
        }
    }

    @Test
    void endlessMoreFramesFromAnEnrolledPeerCutItsConnection() throws Exception {
        long cutBefore = admin.counter("connectionsCut");
        ZContext ctx = new ZContext();
        try {
            ZMQ.Socket peer = RawPeers.enrolled(ctx, token(), address(), "more-" + System.nanoTime(),
                    CurveKeyPair.generate());
            peer.setSendTimeOut(2_000);
            byte[] frame = new byte[64 << 10];
            // frames of 64 KiB, each marked "more", for as long as the master takes them: a message
            // that never ends, which JeroMQ would keep out of sight and out of its queue's count
            long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            long sent = 0;
            while (System.nanoTime() < until && admin.counter("connectionsCut") == cutBefore) {
                if (peer.send(frame, ZMQ.SNDMORE)) {
                    sent++;
                }
            }
            System.out.printf("hostile: sent %d frames of 64 KiB marked more%n", sent);
        } finally {
            RawPeers.closeWithin(ctx, Duration.ofSeconds(5));
        }
        Waits.until("the peer of the endless message cut", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> admin.counter("connectionsCut"), n -> n > cutBefore);
        masterUnharmed("an endless message of 64 KiB frames marked more from one enrolled peer");
    }

    @Test
    void aFetchFloodIsRefusedNotQueued() throws Exception {
        Path program = TestPrograms.pack(work, "big", "1.0.0", "x86_64", Map.of(), 8L << 20);
        admin.json("sdm:install", program.toString());
        String sha = admin.app("big").get("sha256").asText();
        ZContext ctx = new ZContext();
        try {
            ZMQ.Socket peer = RawPeers.enrolled(ctx, token(), address(), "fetcher-" + System.nanoTime(),
                    CurveKeyPair.generate());
            peer.setSndHWM(0);
            peer.setRcvHWM(1);
            MessageCodec codec = new MessageCodec();
            peer.send(codec.encode(new Message.Register("fetcher", "fetcher", Map.of(), "linux", "x86_64", "0")));
            // 20,000 asks for 256 KiB chunks, never read: 5 GiB if the master queued every answer
            for (int i = 0; i < 20_000; i++) {
                peer.send(codec.encode(new Message.Fetch(sha, (i % 32) * (256L << 10), 256 << 10)), ZMQ.DONTWAIT);
            }
            Waits.until("the flood refused or its peer cut", Duration.ofSeconds(60), Duration.ofMillis(500),
                    () -> admin.counter("fetchesRefused") + admin.counter("connectionsCut"), n -> n > 0);
            masterUnharmed("20,000 fetches of 256 KiB from one enrolled peer that never reads");
        } finally {
            RawPeers.closeWithin(ctx, Duration.ofSeconds(5));
            admin.reply("sdm:uninstall", "big");
        }
    }

    private static JoinToken token() throws Exception {
        return JoinToken.parse(Files.readString(work.resolve("master").resolve(NodeFiles.JOIN_TOKEN)));
    }

    private static String address() {
        return "127.0.0.1:" + port;
    }

    /** A ZMTP 3.0 greeting offering CURVE as a client. */
    private static byte[] greeting() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xff).put(new byte[8]).put((byte) 0x7f).put((byte) 3).put((byte) 0);
        byte[] mechanism = new byte[20];
        System.arraycopy("CURVE".getBytes(), 0, mechanism, 0, 5);
        b.put(mechanism).put((byte) 0).put(new byte[31]);
        return b.array();
    }

    /** A frame header with an 8-byte size. */
    private static byte[] longFrame(long size) {
        return ByteBuffer.allocate(9 + 16).put((byte) 0x02).putLong(size).put(new byte[16]).array();
    }

    private static byte[] shortFrame(int size) {
        return new byte[] {0x00, (byte) size, 1, 2, 3};
    }
}
