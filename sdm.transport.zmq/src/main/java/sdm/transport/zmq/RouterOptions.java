package sdm.transport.zmq;

import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import zmq.ZError;

/** How the master's ROUTER is set up before its bind, and what a failed bind means to people. */
final class RouterOptions {

    /**
     * Complete messages queued from one connection, each of one or two frames of at most four
     * times {@code maxMessageBytes}. High enough that an honest slave never fills it: JeroMQ
     * 0.6.0 hands the application one message still encrypted each time a full CURVE connection
     * resumes (its {@code StreamEngine.restartInput} pushes the decoder's frame, not the
     * decrypted one), and that message is lost.
     */
    static final int RCV_HWM = 1_000;
    /**
     * Messages queued to one connection: with chunks of at most 256 KiB, a peer that fetches and
     * never reads holds 64 MiB of them at most, and is cut once its queue is full.
     */
    static final int SND_HWM = 256;

    private RouterOptions() {
    }

    static void apply(ZMQ.Socket router, MasterEndpoint.Config config, TransportCounters counters, PeerWatch watch) {
        router.setLinger(0);
        router.setCurveServer(true);
        router.setCurveSecretKey(config.serverKeys().secretBytes());
        router.setZAPDomain("sdm");
        router.setRouterMandatory(true);
        long maxFrame = 4L * config.maxMessageBytes();
        router.setMaxMsgSize(maxFrame);
        // before the bind: the listener copies the options to every connection it accepts
        router.setMsgAllocator(new FrameLimit(maxFrame, counters));
        router.setSndHWM(SND_HWM);
        router.setRcvHWM(RCV_HWM);
        // JeroMQ times the greetings only; the watch times the rest of the handshake
        router.setHandshakeIvl((int) Math.min(10_000, config.limits().handshakeMs()));
        router.base().setEventHook(watch, PeerWatch.EVENTS);
    }

    static String bindError(MasterEndpoint.Config config, ZMQException e) {
        String where = config.host() + ":" + config.port();
        if (e.getErrorCode() == ZError.EADDRINUSE) {
            return "port " + config.port() + " is already in use (" + where + ")";
        }
        if (e.getErrorCode() == ZError.EADDRNOTAVAIL) {
            return "cannot bind " + where + ": no such local address";
        }
        return "cannot bind " + where + ": " + e.getMessage();
    }
}
