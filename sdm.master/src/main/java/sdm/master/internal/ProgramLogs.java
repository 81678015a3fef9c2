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

import sdm.api.node.TerminalText;

/**
 * The recent log of the machine and of each program ({@code sdm:log}): programs' output, their
 * failures and refused system calls, kept in memory up to a bound each, one line each, safe for a
 * terminal. Audit lines also go to {@code DATA/log/audit.log}, rotated as the node's own log is:
 * past 10 MiB it becomes {@code audit.log.1} (and so on up to {@code audit.log.4}).
 */
final class ProgramLogs {

    static final int LINES_PER_PROGRAM = 2_000;
    static final int MACHINE_LINES = 5_000;
    /** A longer line is cut: the log is for reading, not for bulk output. */
    static final int MAX_LINE_CHARS = 2_000;
    static final long AUDIT_FILE_BYTES = 10 << 20;
    static final int AUDIT_FILES_KEPT = 4;
    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private final Path auditFile;
    private final long auditFileBytes;
    private final Map<String, Deque<String>> programs = new HashMap<>();
    private final Deque<String> machine = new ArrayDeque<>();

    ProgramLogs(Path logDir) {
        this(logDir, AUDIT_FILE_BYTES);
    }

    /** With the audit log rotated past {@code auditFileBytes}: for tests. */
    ProgramLogs(Path logDir, long auditFileBytes) {
        this.auditFile = logDir.resolve("audit.log");
        this.auditFileBytes = auditFileBytes;
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
                rotateAudit();
                try (Writer w = Files.newBufferedWriter(auditFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
                    w.write(text);
                }
            } catch (IOException e) {
                LOG.warning("cannot write the audit log " + auditFile + ": " + e.getMessage());
            }
        }
    }

    /** Past its size, the audit log moves to {@code audit.log.1}, and each older one up a number. */
    private void rotateAudit() throws IOException {
        if (!Files.exists(auditFile) || Files.size(auditFile) < auditFileBytes) {
            return;
        }
        Path dir = auditFile.getParent();
        String name = auditFile.getFileName().toString();
        Files.deleteIfExists(dir.resolve(name + "." + AUDIT_FILES_KEPT));
        for (int n = AUDIT_FILES_KEPT - 1; n >= 1; n--) {
            Path older = dir.resolve(name + "." + n);
            if (Files.exists(older)) {
                Files.move(older, dir.resolve(name + "." + (n + 1)));
            }
        }
        Files.move(auditFile, dir.resolve(name + ".1"));
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
        String one = TerminalText.escape(line.replace('\n', ' ').replace('\r', ' '));
        return one.length() <= MAX_LINE_CHARS ? one : one.substring(0, MAX_LINE_CHARS) + "... (" + one.length() + " chars)";
    }
}
