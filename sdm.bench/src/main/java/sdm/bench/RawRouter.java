package sdm.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * The fan-in baseline: the least a master's endpoint does for heartbeating slaves, in raw
 * JeroMQ. A CURVE ROUTER with the master endpoint's context (two I/O threads) and socket
 * options, that notes when it last heard each peer and sends every peer heard within a minute
 * a heartbeat (the same sealed frame the master sends) every interval. It decodes nothing and
 * keeps no registry. Runs until its parent closes its standard input.
 */
public final class RawRouter {

    private static final long FORGET_PEER_MS = 60_000;

    /** Arguments: port, file holding the Z85 server secret key, heartbeat interval in ms. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String secret = Files.readString(Path.of(args[1])).strip();
        long heartbeatMs = Long.parseLong(args[2]);
        try (ZContext context = new ZContext(2)) {
            context.setLinger(0);
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setCurveServer(true);
            router.setCurveSecretKey(ZMQ.Curve.z85Decode(secret));
            router.setRouterMandatory(true);
            router.setMaxMsgSize(4L * MessageCodec.DEFAULT_MAX_BYTES);
            router.setSndHWM(1_000);
            router.setRcvHWM(10_000);
            router.setHandshakeIvl(10_000);
            router.bind("tcp://127.0.0.1:" + port);
            ParentWatch.onParentGone(() -> System.exit(0));
            System.out.println("ready");
            System.out.flush();
            serve(context, router, heartbeatMs);
        }
    }

    private final ZMQ.Socket router;
    private final Map<ByteBuffer, Long> lastHeard = new HashMap<>();
    private final MessageCodec codec = new MessageCodec();
    private long received;
    private long sent;
    private long failed;

    private RawRouter(ZMQ.Socket router) {
        this.router = router;
    }

    /** Reads every peer's frames, beats every interval, prints its counts every 5 s. */
    private static void serve(ZContext context, ZMQ.Socket router, long heartbeatMs) {
        RawRouter r = new RawRouter(router);
        ZMQ.Poller poller = context.createPoller(1);
        poller.register(router, ZMQ.Poller.POLLIN);
        long nextBeat = System.currentTimeMillis() + heartbeatMs;
        long nextStatus = nextBeat;
        while (!Thread.currentThread().isInterrupted()) {
            if (poller.poll(Math.max(0, nextBeat - System.currentTimeMillis())) < 0) {
                return;
            }
            long now = System.currentTimeMillis();
            r.receiveAll(now);
            if (now >= nextBeat) {
                r.beat(now);
                nextBeat = now + heartbeatMs;
            }
            if (now >= nextStatus) {
                System.out.println("peers " + r.lastHeard.size() + ", received " + r.received + ", sent " + r.sent
                        + ", failed " + r.failed);
                System.out.flush();
                nextStatus = now + 5_000;
            }
        }
    }

    private void receiveAll(long now) {
        byte[] id;
        while ((id = router.recv(ZMQ.DONTWAIT)) != null) {
            while (router.hasReceiveMore()) {
                router.recv(0);
            }
            lastHeard.put(ByteBuffer.wrap(id), now);
            received++;
        }
    }

    /** A heartbeat to every peer heard within a minute, as the master's endpoint does. */
    private void beat(long now) {
        byte[] beat = codec.seal(new Message.Heartbeat());
        Iterator<Map.Entry<ByteBuffer, Long>> it = lastHeard.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ByteBuffer, Long> e = it.next();
            if (now - e.getValue() > FORGET_PEER_MS) {
                it.remove();
                continue;
            }
            try {
                if (router.send(e.getKey().array(), ZMQ.SNDMORE | ZMQ.DONTWAIT) && router.send(beat, ZMQ.DONTWAIT)) {
                    sent++;
                } else {
                    failed++;
                }
            } catch (ZMQException x) {
                failed++; // peer gone: as the master, count it and go on
            }
        }
    }
}
