package sdm.kernel.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import sdm.api.ProgramHost;

/** The master as the kernel sees it: it keeps what programs log, audit and fail with, and the actions they ask for. */
final class FakeHost implements ProgramHost {

    record Control(String action, String target, List<String> options, CompletableFuture<String> answer) {
    }

    final BlockingQueue<String> logs = new LinkedBlockingQueue<>();
    final BlockingQueue<String> audits = new LinkedBlockingQueue<>();
    final BlockingQueue<String> failures = new LinkedBlockingQueue<>();
    final BlockingQueue<Control> controls = new LinkedBlockingQueue<>();
    final AtomicInteger foldersGiven = new AtomicInteger();
    volatile Path folder;

    FakeHost(Path folder) {
        this.folder = folder;
    }

    @Override
    public void failed(String program, String reason) {
        failures.add(program + ": " + reason);
    }

    @Override
    public void log(String program, String line) {
        logs.add(line);
    }

    @Override
    public void audit(String program, String line) {
        audits.add(program + ": " + line);
    }

    @Override
    public Path privateFolder(String program) {
        foldersGiven.incrementAndGet();
        return folder;
    }

    @Override
    public void writePrivateFile(String program, String name, byte[] content) throws java.io.IOException {
        Path temp = folder.resolve(name + ".tmp");
        java.nio.file.Files.write(temp, content);
        java.nio.file.Files.move(temp, folder.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public CompletableFuture<String> control(String action, String target, List<String> options) {
        Control c = new Control(action, target, List.copyOf(options), new CompletableFuture<>());
        controls.add(c);
        return c.answer();
    }
}
