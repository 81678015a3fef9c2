package sdm.transport.zmq;

import java.util.logging.Logger;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import sdm.api.node.ThrottledLog;

/**
 * The ZAP handler (RFC 27) of a master's context: admits a CURVE client only if the
 * {@link Admission} knows its public key, and tells the ROUTER which role the client plays (and
 * which node an enrolled slave is) through the User-Id. Every refusal is counted and logged
 * (throttled) with the peer's address. Whatever a request holds, it is answered and the
 * handler goes on: a handler that stopped would leave every later handshake hanging.
 * <p>
 * It answers on a ROUTER rather than the usual REP, so that requests of concurrent handshakes
 * are each answered as they come, whatever their order. Owns its socket and thread.
 */
final class ZapAuthenticator implements AutoCloseable {

    static final String ENDPOINT = "inproc://zeromq.zap.01";
    private static final Logger LOG = Logger.getLogger("sdm.transport");

    private final ZContext context;
    private final Admission admission;
    private final TransportCounters counters;
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20, 60_000);
    private final ZMQ.Socket handler;
    private final Thread thread;
    private volatile boolean running = true;

    /** Binds the handler; must run before any CURVE server socket of the context binds. */
    ZapAuthenticator(ZContext context, Admission admission, TransportCounters counters) {
        this.context = context;
        this.admission = admission;
        this.counters = counters;
        this.handler = context.createSocket(SocketType.ROUTER);
        handler.setLinger(0);
        handler.bind(ENDPOINT);
        handler.setReceiveTimeOut(200);
        this.thread = Thread.ofPlatform().name("sdm-zap").daemon().start(this::serve);
    }

    private void serve() {
        while (running) {
            ZMsg request;
            try {
                request = ZMsg.recvMsg(handler);
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warning("ZAP handler stopped: " + e);
                }
                return;
            }
            if (request != null) {
                try {
                    answer(request);
                } catch (RuntimeException e) {
                    // a request too short to answer, or a failure of the admission: that handshake fails
                    refusals.warn("ZAP request not answered: " + e);
                }
            }
        }
    }

    private void answer(ZMsg request) {
        // envelope: routing id, empty delimiter; then RFC 27: version, request id, domain,
        // address, identity, mechanism, credentials...
        ZFrame routingId = request.pop();
        request.pop();
        String version = request.popString();
        String requestId = request.popString();
        request.popString();
        String address = request.popString();
        request.popString();
        String mechanism = request.popString();
        ZFrame key = request.pop();
        byte[] clientKey = key == null ? new byte[0] : key.getData();

        String userId = null;
        if ("CURVE".equals(mechanism) && clientKey.length == 32) {
            try {
                userId = admission.userIdOf(ZMQ.Curve.z85Encode(clientKey));
            } catch (RuntimeException e) {
                LOG.warning("admitting a key failed, so it is refused: " + e);
            }
        }
        ZMsg reply = new ZMsg();
        reply.add(routingId);
        reply.add(new byte[0]);
        reply.add(version == null ? "1.0" : version);
        reply.add(requestId == null ? "" : requestId);
        if (userId != null) {
            reply.add("200");
            reply.add("OK");
            reply.add(userId);
        } else {
            counters.increment(TransportCounters.HANDSHAKES_REFUSED);
            refusals.warn("refused a connection from " + address + ": its key is not the join key, the admin "
                    + "key or an enrolled slave's (wrong join token or admin key, or a revoked slave?)");
            reply.add("400");
            reply.add("unknown key");
            reply.add("");
        }
        reply.add(new byte[0]);
        reply.send(handler);
    }

    @Override
    public void close() {
        running = false;
        SocketThread.join(thread, 2_000);
        context.destroySocket(handler);
    }
}
