package sdm.itest;

import java.time.Duration;
import java.util.Set;

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
}
