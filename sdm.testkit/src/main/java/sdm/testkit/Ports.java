package sdm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** TCP ports for the processes a test or a benchmark starts on 127.0.0.1. */
public final class Ports {

    private Ports() {
    }

    /** A port free on 127.0.0.1 now (the kernel's choice); another process may take it later. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
