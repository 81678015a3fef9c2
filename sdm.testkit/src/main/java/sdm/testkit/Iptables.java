package sdm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** iptables(8) as a process, for the tests and runs that black-hole a master (as root). */
public final class Iptables {

    private Iptables() {
    }

    /** Whether iptables can list rules here (installed, and run by root). */
    public static boolean available() {
        try {
            return run(List.of("-S", "INPUT")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code iptables -w 5 ARGS}; its exit code, its complaint printed when it failed. */
    public static int run(List<String> args) throws IOException {
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
                System.err.println("iptables " + String.join(" ", args) + ": " + out.strip());
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for iptables");
        }
    }

    /**
     * Inserts each rule ({@code -I}, so each goes first); if one is refused, deletes those
     * inserted before it and throws, naming the refused rule.
     */
    public static void insert(List<List<String>> rules) throws IOException {
        List<List<String>> inserted = new ArrayList<>();
        for (List<String> rule : rules) {
            boolean ok;
            try {
                ok = run(prefixed("-I", rule)) == 0;
            } catch (IOException e) {
                delete(inserted);
                throw e;
            }
            if (!ok) {
                delete(inserted);
                throw new IOException("iptables -I " + String.join(" ", rule) + " failed");
            }
            inserted.add(rule);
        }
    }

    /** Deletes each rule ({@code -D}); one that cannot be is named on standard error, and the rest go on. */
    public static void delete(List<List<String>> rules) {
        for (List<String> rule : rules) {
            try {
                if (run(prefixed("-D", rule)) != 0) {
                    System.err.println("could not remove the iptables rule " + rule);
                }
            } catch (IOException e) {
                System.err.println("could not remove the iptables rule " + rule + ": " + e.getMessage());
            }
        }
    }

    private static List<String> prefixed(String command, List<String> rule) {
        List<String> out = new ArrayList<>(List.of(command));
        out.addAll(rule);
        return out;
    }
}
