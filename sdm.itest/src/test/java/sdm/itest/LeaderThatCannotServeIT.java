package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.testkit.ReplicaSet;
import sdm.testkit.Waits;

/**
 * Two of three masters cannot open their slaves' endpoint (another process holds the port):
 * whichever of them is elected must give the leadership up, or the third master, the only one
 * that can serve, would never be elected while the other keeps the Raft group's leadership.
 */
class LeaderThatCannotServeIT {

    @TempDir
    Path work;

    private ReplicaSet masters;

    @AfterEach
    void stop() {
        if (masters != null) {
            masters.close();
        }
    }

    @Test
    void aMasterElectedThatCannotServeStandsAsideForOneThatCan() throws Exception {
        masters = new ReplicaSet(work, 3);
        try (ServerSocket first = taken(masters.port(0)); ServerSocket third = taken(masters.port(2))) {
            masters.start(0);
            masters.startWithKey(2);
            // one of the two is elected (the third is not there yet) and finds its port taken
            Waits.untilTrue("master 1 or 3 elected and unable to serve", Duration.ofSeconds(90),
                    () -> logged(0, "was elected but cannot serve") || logged(2, "was elected but cannot serve"));
            long started = System.nanoTime();
            masters.startWithKey(1);
            assertThat(masters.leader(Duration.ofSeconds(30))).as("the master that can serve leads").isEqualTo(1);
            System.out.printf("master 2 leads %d ms after its start%n", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception | AssertionError e) {
            masters.printLogs();
            throw e;
        }
    }

    private static ServerSocket taken(int port) throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private boolean logged(int i, String text) throws Exception {
        Path log = masters.data(i).resolve("log/sdm.0.log");
        return Files.exists(log) && Files.readString(log).contains(text);
    }
}
