package sdm.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import sdm.api.node.NodeFiles;

/**
 * One supervised slave process of {@code sdm local}: restarted when it dies, after 1 s, then
 * 2, 4... up to 30 s while it keeps dying; a run of over a minute resets the back-off. Its
 * console goes to {@code DATA/log/console.log}.
 */
final class SlaveProcess {

    private static final Logger LOG = Logger.getLogger("sdm.launcher");
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long HEALTHY_RUN_MS = 60_000;

    private final String name;
    private final List<String> command;
    private final Path data;
    private volatile boolean stopping;
    private volatile Process process;

    SlaveProcess(String name, List<String> command, Path data) {
        this.name = name;
        this.command = command;
        this.data = data;
    }

    void start() throws IOException {
        Files.createDirectories(data.resolve(NodeFiles.LOG_FOLDER));
        Thread.ofPlatform().daemon().name("sdm-supervise-" + name).start(this::supervise);
    }

    private void supervise() {
        long backoff = 1_000;
        while (!stopping) {
            long started = System.currentTimeMillis();
            int code;
            try {
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    process = new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("log/console.log").toFile()))
                            .redirectInput(ProcessBuilder.Redirect.PIPE)
                            .start();
                }
                code = process.waitFor();
            } catch (IOException e) {
                LOG.severe("cannot start " + name + ": " + e.getMessage());
                code = -1;
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) {
                return;
            }
            if (System.currentTimeMillis() - started > HEALTHY_RUN_MS) {
                backoff = 1_000;
            }
            LOG.warning(name + " exited with code " + code + "; restarting in " + backoff / 1000 + " s");
            long until = System.currentTimeMillis() + backoff;
            while (!stopping && System.currentTimeMillis() < until) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /** Sends SIGTERM; the slave stops its framework and exits. */
    void requestStop() {
        synchronized (this) {
            stopping = true;
        }
        Process p = process;
        if (p != null) {
            p.destroy();
        }
    }

    void awaitStop() {
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warning(name + " did not stop within 10 s; killing it");
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
