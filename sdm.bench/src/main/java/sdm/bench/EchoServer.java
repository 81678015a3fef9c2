package sdm.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The baseline's other process: a JeroMQ ROUTER with the same CURVE security as the master,
 * sending back every message it gets. Runs until its parent closes its standard input.
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** Arguments: port, file holding the Z85 server secret key. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String secret = Files.readString(Path.of(args[1])).strip();
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setCurveServer(true);
            router.setCurveSecretKey(ZMQ.Curve.z85Decode(secret));
            router.setSndHWM(100_000);
            router.setRcvHWM(100_000);
            router.bind("tcp://127.0.0.1:" + port);
            ParentWatch.onParentGone(() -> System.exit(0));
            System.out.println("ready");
            System.out.flush();
            while (!Thread.currentThread().isInterrupted()) {
                byte[] id = router.recv(0);
                byte[] payload = router.recv(0);
                router.send(id, ZMQ.SNDMORE);
                router.send(payload, 0);
            }
        }
    }
}
