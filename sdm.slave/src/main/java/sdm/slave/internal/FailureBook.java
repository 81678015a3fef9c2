package sdm.slave.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

/**
 * The programs that failed on this node, each at one attempt: not tried again until the
 * operator's next attempt, and kept in {@code failures.tsv} so that a restart does not try them
 * either. One line a program: name, SHA-256, desired state, attempt, reason (tabs and newlines
 * in the reason become spaces). Used from the agent's thread only.
 */
final class FailureBook {

    static final String FILE = "failures.tsv";
    private static final Logger LOG = Logger.getLogger("sdm.slave");

    /** A start or install that failed at one attempt of one bundle and desired state. */
    record Failure(String sha256, ProgramState state, long attempt, String reason) {
        boolean answers(Message.DesiredProgram d) {
            return sha256.equals(d.sha256()) && state == d.state() && attempt == d.attempt();
        }
    }

    private final DataFolder folder;
    private final Map<String, Failure> failures = new HashMap<>();

    FailureBook(DataFolder folder) {
        this.folder = folder;
    }

    /** The failure that answers this desired program (its attempt failed), or null. */
    Failure answering(Message.DesiredProgram d) {
        Failure f = failures.get(d.name());
        return f != null && f.answers(d) ? f : null;
    }

    void put(Message.DesiredProgram d, String reason) {
        failures.put(d.name(), new Failure(d.sha256(), d.state(), d.attempt(), reason));
        save();
    }

    /** Forgets a program's failure (a new attempt, an uninstall). */
    void forget(String name) {
        if (failures.remove(name) != null) {
            save();
        }
    }

    /** Forgets the failures of programs no longer desired here. */
    void retain(Set<String> names) {
        if (failures.keySet().removeIf(name -> !names.contains(name))) {
            save();
        }
    }

    void load() {
        try {
            for (String line : folder.read(FILE).orElse("").split("\n")) {
                String[] f = line.split("\t", 5);
                if (f.length == 5) {
                    failures.put(f[0], new Failure(f[1], ProgramState.of(f[2]), Long.parseLong(f[3]), f[4]));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("ignoring " + FILE + ": " + e.getMessage());
        }
    }

    private void save() {
        StringBuilder text = new StringBuilder();
        failures.forEach((name, f) -> text.append(name).append('\t').append(f.sha256()).append('\t')
                .append(f.state().text()).append('\t').append(f.attempt()).append('\t')
                .append(f.reason().replace('\t', ' ').replace('\n', ' ')).append('\n'));
        try {
            folder.write(FILE, text.toString().strip(), false);
        } catch (IOException e) {
            LOG.warning("cannot keep the failures: " + e.getMessage());
        }
    }
}
