package sdm.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /** Whether iptables can add and list rules here (installed, and run by root). */
    static boolean available() {
        try {
            return iptables(List.of("-S", "INPUT")) == 0;
        } catch (IOException e) {
            return false;
        }
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
        for (String direction : List.of("--dport", "--sport")) {
            List<String> rule = List.of("INPUT", "-p", "tcp", direction, "" + port, "-m", "comment", "--comment", tag,
                    "-j", "DROP");
            List<String> insert = new ArrayList<>(List.of("-I"));
            insert.addAll(rule);
            if (iptables(insert) != 0) {
                close();
                throw new IOException("iptables " + String.join(" ", insert) + " failed");
            }
            added.add(rule);
        }
    }

    /** Removes the rules this black hole added; heals the partition. */
    @Override
    public synchronized void close() {
        for (List<String> rule : List.copyOf(added)) {
            List<String> delete = new ArrayList<>(List.of("-D"));
            delete.addAll(rule);
            try {
                iptables(delete);
            } catch (IOException e) {
                System.err.println("chaos: could not remove the iptables rule " + rule + ": " + e.getMessage());
            }
            added.remove(rule);
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down, or never added
            }
        }
    }

    private static int iptables(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "5"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("iptables did not answer within 10 s");
            }
            if (p.exitValue() != 0 && !out.isBlank()) {
                System.err.println("chaos: iptables " + String.join(" ", args) + ": " + out.strip());
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for iptables");
        }
    }
}
