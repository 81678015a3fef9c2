package sdm.kernel.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The context's error stream, as lines: the engine's own warnings (an unhandled rejection), which
 * the program's loop takes after each turn and logs, counted against the program's log volume like
 * {@code console.log}. A line is cut at 4 KiB; past {@code maxLines} waiting, lines are dropped
 * (more than the log volume allows, which fails the program once they are logged).
 * <p>
 * Lines wait here rather than go straight to the log because the memory bound walks every object
 * reachable from the context, this stream included: a stream that led to the kernel would have the
 * walk count the whole master as the program's memory.
 */
final class LineLog extends OutputStream {

    private final int maxLines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();

    LineLog(int maxLines) {
        this.maxLines = maxLines;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            if (lines.size() < maxLines) {
                lines.add(line.toString(StandardCharsets.UTF_8));
            }
            line.reset();
        } else if (line.size() < 4_096) {
            line.write(b);
        }
    }

    /** The complete lines written since the last call, oldest first. */
    synchronized List<String> take() {
        if (lines.isEmpty()) {
            return List.of(); // every turn asks: nothing made when there is nothing
        }
        List<String> taken = List.copyOf(lines);
        lines.clear();
        return taken;
    }
}
