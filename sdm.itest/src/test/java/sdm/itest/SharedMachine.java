package sdm.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.Waits;
import sdm.transport.zmq.Message;

/**
 * For the tests of a class that share one machine: each test finds the machine as it needs it
 * at its start, whatever the test before it left or failed to undo.
 */
final class SharedMachine {

    private SharedMachine() {
    }

    /** Waits until {@code slaves} slaves are online: a thawed one back, a killed one restarted. */
    static void online(AdminSession admin, int slaves) throws Exception {
        Waits.untilTrue(slaves + " slaves online", Duration.ofSeconds(60), () -> admin.onlineCount() == slaves);
    }

    /** A wait that can time out; the test's own lambdas. */
    interface Wait {
        void run() throws Exception;
    }

    /** Runs {@code wait}; if it times out, the failure carries the end of each log under {@code work}. */
    static void explained(Path work, Wait wait) throws Exception {
        try {
            wait.run();
        } catch (TimeoutException e) {
            throw withLogTails(work, e);
        }
    }

    private static AssertionError withLogTails(Path work, Exception e) throws IOException {
        StringBuilder out = new StringBuilder(e.getMessage());
        try (Stream<Path> folders = Files.list(work)) {
            for (Path log : folders.map(f -> f.resolve("log/sdm.0.log")).filter(Files::exists).sorted().toList()) {
                String text = Files.readString(log);
                out.append('\n').append(work.relativize(log)).append(" ends:\n")
                        .append(text, Math.max(0, text.length() - 4_000), text.length());
            }
        }
        return new AssertionError(out.toString(), e);
    }

    /**
     * Uninstalls every program but {@code kept}. A program that goes while this runs (its
     * archive taken out of the deploy folder) is not an error.
     */
    static void uninstallAllBut(AdminSession admin, Set<String> kept) throws Exception {
        for (JsonNode app : admin.json("sdm:apps")) {
            String name = app.get("name").asText();
            if (!kept.contains(name)) {
                Message.AdminReply r = admin.reply("sdm:uninstall", name);
                if (!r.ok() && admin.app(name) != null) {
                    throw new IllegalStateException("uninstalling " + name + ", left by an earlier test: " + r.error());
                }
            }
        }
    }

    /** The lines of the machine's log now (node transitions, programs' output): what a test compares with. */
    static Set<String> machineLog(AdminSession admin) throws Exception {
        return Set.copyOf(admin.text("sdm:log", "--lines", "5000").lines().toList());
    }

    /** The lines of the machine's log that are not in {@code before}, one a line. */
    static String machineLogSince(AdminSession admin, Set<String> before) throws Exception {
        return admin.text("sdm:log", "--lines", "5000").lines().filter(l -> !before.contains(l))
                .collect(Collectors.joining("\n"));
    }
}
