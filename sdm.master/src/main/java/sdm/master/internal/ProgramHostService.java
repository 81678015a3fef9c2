package sdm.master.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import sdm.api.ProgramHost;
import sdm.api.ProgramState;
import sdm.archive.JamManifest;

/** The master's side of {@link ProgramHost}: logs, audit, private folders, failures and control. */
@Component(service = ProgramHost.class)
public final class ProgramHostService implements ProgramHost {

    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

    @Reference
    private MasterNode master;
    private final ExecutorService control = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sdm-program-control").daemon().factory());
    /** Not the control thread: a program's commands there must not delay stopping a failed program. */
    private final ExecutorService failures = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sdm-program-failures").daemon().factory());

    @Deactivate
    void deactivate() {
        control.shutdownNow();
        failures.shutdownNow();
    }

    @Override
    public void failed(String program, String reason) {
        ProgramManager programs = master.programs();
        programs.masterFailed(program, reason);
        master.logs().append(program, "failed", reason);
        try {
            failures.execute(() -> programs.stopFailedLocal(program));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the master is stopping
        }
    }

    @Override
    public void log(String program, String line) {
        master.logs().append(program, "log", line);
    }

    @Override
    public void audit(String program, String line) {
        master.logs().audit(program, line);
    }

    @Override
    public Path privateFolder(String program) {
        if (!JamManifest.isValidName(program)) {
            throw new IllegalArgumentException("not a program name: " + program);
        }
        Path dir = master.privateRoot().resolve(program);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    @Override
    public void writePrivateFile(String program, String name, byte[] content) throws IOException {
        if (!JamManifest.isValidName(program)) {
            throw new IllegalArgumentException("not a program name: " + program);
        }
        if (!PrivateFiles.isValidName(name)) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        master.privateFiles().write(program, name, content);
    }

    @Override
    public CompletableFuture<String> control(String action, String target, List<String> options) {
        return CompletableFuture.supplyAsync(() -> {
            ProgramManager programs = master.programs();
            Path archives = master.deployDir() == null ? null : master.deployDir().toAbsolutePath().normalize();
            try {
                ProgramView v = switch (action) {
                    case "install" -> {
                        List<String> grants = new ArrayList<>();
                        options.stream().filter(o -> o.startsWith("grant=")).forEach(o -> grants.add(o.substring(6)));
                        if (archives == null) {
                            throw new ProgramException("this master has no deploy folder to install archives from");
                        }
                        Path file = archives.resolve(target).normalize();
                        if (!file.startsWith(archives) || file.equals(archives)) {
                            throw new ProgramException("programs install archives from the deploy folder only, not "
                                    + target);
                        }
                        yield programs.install(file, options.contains("start"), grants, "program", CONTROL_TIMEOUT);
                    }
                    case "start" -> programs.setState(target, ProgramState.ACTIVE, CONTROL_TIMEOUT);
                    case "stop" -> programs.setState(target, ProgramState.STOPPED, CONTROL_TIMEOUT);
                    case "uninstall" -> programs.uninstall(target, CONTROL_TIMEOUT);
                    default -> throw new IllegalArgumentException("no such action: " + action);
                };
                return v.program().name() + " " + v.program().version() + ": desired " + v.program().state() + ", "
                        + v.atDesired() + " of " + v.nodes().size() + " slaves there";
            } catch (ProgramException e) {
                throw new IllegalStateException(e.getMessage());
            }
        }, control);
    }
}
