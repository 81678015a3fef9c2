package sdm.slave.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which program the previous run of this node crashed in. Only a real crash counts: the JVM's
 * crash report ({@code hs_err_pidN.log}, in the log folder or the working folder) must exist for
 * that run, and it names the thread that faulted, so a call merely in progress on another
 * thread (or a kill -9 during a call) blames nobody. The marks say what native code each thread
 * slot was running ({@link CrashMarks}).
 */
final class CrashBlame {

    private static final Logger LOG = Logger.getLogger("sdm.slave");
    private static final Pattern CURRENT_THREAD = Pattern.compile("^Current thread \\([^)]*\\):\\s+\\w+ \"([^\"]+)\"");

    private final List<Path> reportFolders;
    private final String agentThread;

    /**
     * @param reportFolders where the JVM may have written its crash report
     * @param agentThread the name of the thread that loads and unloads libraries
     */
    CrashBlame(List<Path> reportFolders, String agentThread) {
        this.reportFolders = reportFolders;
        this.agentThread = agentThread;
    }

    /** Program name to the reason it is failed with, for the marks of the thread that crashed. */
    Map<String, String> blame(CrashMarks.Previous previous) {
        Map<String, String> blamed = new LinkedHashMap<>();
        if (previous.marks().isEmpty()) {
            return blamed;
        }
        String thread = crashedThread(previous.pid());
        if (thread == null) {
            LOG.info("the previous run ended during native code, without a crash report: nothing to blame");
            return blamed;
        }
        int slot = thread.equals(agentThread) ? CrashMarks.AGENT_SLOT
                : CallThreads.slotOf(thread) % CrashMarks.AGENT_SLOT;
        for (CrashMarks.Mark mark : previous.marks()) {
            if (slot >= 0 && mark.slot() == slot) {
                blamed.put(mark.program(), reason(mark.what()));
            }
        }
        return blamed;
    }

    private static String reason(String what) {
        return what.startsWith("#")
                ? "node crashed " + what.substring(1).replace("loading", "while loading")
                        .replace("unloading", "while unloading")
                : "node crashed during " + what + "()";
    }

    /** The thread named as faulting in the crash report of process {@code pid}, or null if there is none. */
    private String crashedThread(long pid) {
        String name = "hs_err_pid" + pid + ".log";
        for (Path folder : reportFolders) {
            Path candidate = folder.resolve(name);
            if (!Files.isRegularFile(candidate)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(candidate, StandardCharsets.ISO_8859_1)) {
                return lines.map(CURRENT_THREAD::matcher).filter(Matcher::find).map(m -> m.group(1))
                        .findFirst().orElse(null);
            } catch (IOException | UncheckedIOException e) {
                LOG.warning("cannot read " + candidate + ": " + e.getMessage());
            }
        }
        return null;
    }
}
