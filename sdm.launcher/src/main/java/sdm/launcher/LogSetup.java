package sdm.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import sdm.api.node.NodeFiles;

/**
 * Routes java.util.logging, which every SDM bundle uses, to the console and to
 * {@code DATA/log/sdm.log}: one line per record, stack traces only in the file.
 */
final class LogSetup {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private LogSetup() {
    }

    private static Handler console;
    /**
     * Ratis logs every retry to a master that is down (four a second) and every election step:
     * only its errors are kept. The masters' own lines say who leads. Held here, since the log
     * manager keeps its loggers only weakly.
     */
    private static final Logger RATIS = Logger.getLogger("org.apache.ratis");

    /** Start-up lines (INFO) go to the console; see {@link #quietConsole}. */
    static void configure(Path data, String tag) throws IOException {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        RATIS.setLevel(Level.SEVERE);
        console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        console.setFormatter(new OneLine(tag, false));
        root.addHandler(console);
        Path logs = data.resolve(NodeFiles.LOG_FOLDER);
        Files.createDirectories(logs, Main.OWNER_ONLY);
        FileHandler file = new FileHandler(logs.resolve("sdm.%g.log").toString(), 10 << 20, 5, true);
        file.setLevel(Level.ALL);
        file.setFormatter(new OneLine(tag, true));
        root.addHandler(file);
    }

    /** Once an interactive shell owns the terminal, only warnings interrupt it. */
    static void quietConsole() {
        if (console != null) {
            console.setLevel(Level.WARNING);
        }
    }

    private static final class OneLine extends Formatter {
        private final String tag;
        private final boolean withTrace;

        OneLine(String tag, boolean withTrace) {
            this.tag = tag;
            this.withTrace = withTrace;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder line = new StringBuilder()
                    .append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(String.format("%-7s", r.getLevel().getName())).append(' ')
                    .append(tag).append(' ').append(formatMessage(r));
            Throwable t = r.getThrown();
            if (t != null) {
                line.append(": ").append(t);
                if (withTrace) {
                    for (StackTraceElement e : t.getStackTrace()) {
                        line.append("\n    at ").append(e);
                    }
                }
            }
            return line.append('\n').toString();
        }
    }
}
