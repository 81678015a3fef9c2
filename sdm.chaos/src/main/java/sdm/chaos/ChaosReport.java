package sdm.chaos;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a chaos run says as it goes, timed from its start, and the violations it found. */
final class ChaosReport {

    private final PrintStream log;
    private final long started = System.currentTimeMillis();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    ChaosReport(PrintStream log) {
        this.log = log;
    }

    void say(String line) {
        log.println(at() + line);
    }

    void violation(String what) {
        violations.add(at() + what);
    }

    /** A violation found at the end, with no time of its own. */
    void violationAtEnd(String what) {
        violations.add(what);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    long millis() {
        return System.currentTimeMillis() - started;
    }

    private String at() {
        return String.format(Locale.ROOT, "[%.1f s] ", millis() / 1000.0);
    }
}
