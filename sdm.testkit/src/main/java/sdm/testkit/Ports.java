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

    /** A port free on 127.0.0.1 now whose next one is free too: a master's, and its consensus port. */
    public static int freePair() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = free();
            if (port < 65535) {
                try (ServerSocket s = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException e) {
                    // taken: another try
                }
            }
        }
        throw new IllegalStateException("no two free ports in a row on 127.0.0.1 in 100 tries");
    }
}
