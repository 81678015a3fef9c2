package sdm.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import sdm.testkit.Iptables;

/**
 * A partition without a reset: iptables rules that drop every TCP packet to and from one port
 * of this machine (the master's), so that its peers see only silence, as behind a cut cable,
 * and TCP delivers what waited once the rules go. Each rule carries a comment naming this
 * process; {@link #close} removes what this one added, and so does a shutdown hook, so that no
 * run leaves a rule behind.
 */
final class BlackHole implements AutoCloseable {

    private final int port;
    private final String tag = "sdm-chaos-" + ProcessHandle.current().pid();
    private final List<List<String>> added = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "chaos-black-hole-removal");

    BlackHole(int port) {
        this.port = port;
    }

    static boolean available() {
        return Iptables.available();
    }

    synchronized boolean isOpen() {
        return !added.isEmpty();
    }

    /** Drops everything to and from the port from now on, until {@link #close}. */
    synchronized void open() throws IOException {
        if (!added.isEmpty()) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(hook);
        List<List<String>> rules = new ArrayList<>();
        for (String direction : List.of("--dport", "--sport")) {
            rules.add(List.of("INPUT", "-p", "tcp", direction, "" + port, "-m", "comment", "--comment", tag, "-j",
                    "DROP"));
        }
        try {
            Iptables.insert(rules);
        } catch (IOException e) {
            close();
            throw e;
        }
        added.addAll(rules);
    }

    /** Removes the rules this black hole added; heals the partition. */
    @Override
    public synchronized void close() {
        Iptables.delete(added);
        added.clear();
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down, or never added
            }
        }
    }
}
