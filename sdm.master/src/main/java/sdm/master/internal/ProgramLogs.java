package sdm.master.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The recent log of the machine and of each program ({@code sdm:log}): programs' output, their
 * failures and refused system calls, kept in memory up to a bound each. Audit lines also go to
 * {@code DATA/log/audit.log}, which is never trimmed by us.
 */
final class ProgramLogs {

    static final int LINES_PER_PROGRAM = 2_000;
    static final int MACHINE_LINES = 5_000;
    /** A longer line is cut: the log is for reading, not for bulk output. */
    static final int MAX_LINE_CHARS = 2_000;
    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private final Path auditFile;
    private final Map<String, Deque<String>> programs = new HashMap<>();
    private final Deque<String> machine = new ArrayDeque<>();

    ProgramLogs(Path logDir) {
        this.auditFile = logDir.resolve("audit.log");
    }

    synchronized void append(String program, String kind, String line) {
        String text = TIME.format(Instant.now()) + " " + program + " " + kind + ": " + clip(line);
        add(programs.computeIfAbsent(program, p -> new ArrayDeque<>()), text, LINES_PER_PROGRAM);
        add(machine, text, MACHINE_LINES);
    }

    /** A line about the machine itself (a node going offline or coming back): in {@code sdm:log} without a name. */
    synchronized void machine(String line) {
        add(machine, TIME.format(Instant.now()) + " machine: " + clip(line), MACHINE_LINES);
    }

    void audit(String program, String line) {
        append(program, "audit", line);
        String text = TIME.format(Instant.now()) + " " + program + " " + clip(line) + "\n";
        synchronized (auditFile) {
            try {
                Files.createDirectories(auditFile.getParent());
                try (Writer w = Files.newBufferedWriter(auditFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
                    w.write(text);
                }
            } catch (IOException e) {
                LOG.warning("cannot write the audit log " + auditFile + ": " + e.getMessage());
            }
        }
    }

    /** The last {@code max} lines of one program, or of the machine if {@code program} is null. */
    synchronized List<String> recent(String program, int max) {
        Deque<String> lines = program == null ? machine : programs.getOrDefault(program, new ArrayDeque<>());
        List<String> all = new ArrayList<>(lines);
        return all.subList(Math.max(0, all.size() - max), all.size());
    }

    private static void add(Deque<String> lines, String text, int bound) {
        lines.addLast(text);
        while (lines.size() > bound) {
            lines.removeFirst();
        }
    }

    private static String clip(String line) {
        String one = line.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= MAX_LINE_CHARS ? one : one.substring(0, MAX_LINE_CHARS) + "... (" + one.length() + " chars)";
    }
}
