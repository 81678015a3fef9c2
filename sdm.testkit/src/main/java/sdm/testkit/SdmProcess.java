package sdm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import sdm.api.node.NodeFiles;

/**
 * One {@code bin/sdm} process, its output in files of its working folder, stopped (with every
 * process it started) when closed.
 */
public final class SdmProcess implements AutoCloseable {

    /** The project's folder: the system property {@code sdm.project}, or the working folder's parent. */
    public static final Path PROJECT = Path.of(System.getProperty("sdm.project", "..")).toAbsolutePath().normalize();
    public static final Path SDM = PROJECT.resolve("bin/sdm");

    /** JVM options for a slave: small, as the slaves of {@code bin/sdm local} are. */
    public static final String SMALL_HEAP = "-XX:+UseSerialGC -Xmx64m";

    private final Process process;
    private final Path out;
    private final Path err;

    private SdmProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** {@code bin/sdm ARGS...} in {@code workDir} with {@code env} added to this process's environment. */
    public static SdmProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>();
        command.add(SDM.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "out-", ".log");
        Path err = Files.createTempFile(workDir, "err-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        return new SdmProcess(pb.start(), out, err);
    }

    /**
     * {@code bin/sdm master} on 127.0.0.1:{@code port} with its data in {@code work/data}, once its
     * admin files are there (a file left by an earlier run of the same folder is removed first).
     */
    public static SdmProcess master(Path work, int port, String data) throws Exception {
        return master(work, port, data, Map.of());
    }

    /** As {@link #master(Path, int, String)}, with {@code env} added to its environment and {@code more} arguments. */
    public static SdmProcess master(Path work, int port, String data, Map<String, String> env, String... more)
            throws Exception {
        Path dir = work.resolve(data);
        Files.deleteIfExists(dir.resolve(NodeFiles.MASTER_ENDPOINT));
        List<String> args = new ArrayList<>(List.of("master", "--no-console", "--bind", "127.0.0.1:" + port, "--data",
                data));
        args.addAll(List.of(more));
        SdmProcess m = start(work, env, args.toArray(String[]::new));
        Waits.until("the master's admin files", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(dir.resolve(NodeFiles.MASTER_ENDPOINT)) && Files.exists(dir.resolve(NodeFiles.ADMIN_KEY)),
                done -> done);
        return m;
    }

    /** {@code bin/sdm slave NAME} joining the master on 127.0.0.1:{@code port}, its data in {@code work/NAME}. */
    public static SdmProcess slave(Path work, Map<String, String> env, int port, String token, String name)
            throws IOException {
        return slave(work, env, "127.0.0.1:" + port, token, name);
    }

    /** {@code bin/sdm slave NAME} joining through {@code masters} ({@code HOST:PORT[,...]}), its data in {@code work/NAME}. */
    public static SdmProcess slave(Path work, Map<String, String> env, String masters, String token, String name)
            throws IOException {
        return start(work, env, "slave", "--master", masters, "--token", token, "--name", name, "--data", name);
    }

    /** Runs {@code bin/sdm} to its end (at most {@code timeout}) and returns what it did. */
    public static Result run(Path workDir, Duration timeout, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        try (SdmProcess p = start(workDir, env, args)) {
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("sdm " + String.join(" ", args) + " did not end within " + timeout
                        + "; stderr: " + p.stderr());
            }
            return new Result(p.process.exitValue(), p.stdout(), p.stderr());
        }
    }

    /** The machine's join token, as a master (a leader, of replicated ones) wrote it in its data folder. */
    public static String joinToken(Path masterData) throws IOException {
        return Files.readString(masterData.resolve(NodeFiles.JOIN_TOKEN)).strip();
    }

    /** What a {@code bin/sdm} run that ended did. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, {@code KILL}...) to a process; failing to is an error. */
    public static void signal(String signal, long pid) throws IOException, InterruptedException {
        if (!ProcessTree.signal(signal, pid)) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed");
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** SIGTERM and wait: the clean stop a user gets with Ctrl-C. */
    public boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGKILL to the process alone: what a crash does to it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The processes it has started that still run (the slaves of {@code bin/sdm local}). */
    public List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    public int exitCode() {
        return process.exitValue();
    }

    @Override
    public void close() {
        ProcessTree.stop(process, Duration.ofSeconds(20));
    }
}
