package sdm.kernel.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Stream to lines: the engine's own warnings (an unhandled rejection) reach the program's log,
 * counted against its log volume like {@code console.log}. A line is cut at 4 KiB.
 */
final class LineLog extends OutputStream {

    private final Consumer<String> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineLog(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            sink.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
        } else if (line.size() < 4_096) {
            line.write(b);
        }
    }
}
