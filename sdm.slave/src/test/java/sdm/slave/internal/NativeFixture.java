package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import sdm.archive.BundleConverter;
import sdm.transport.zmq.Message;

/** The native programs of a slave in a folder of their own, sending their results to a queue. */
final class NativeFixture implements AutoCloseable {

    static final String PROGRAM = "demo";
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Held: a line for every library loaded and unloaded is noise here. */
    private static final Logger QUIET = Logger.getLogger("sdm.slave");

    static {
        QUIET.setLevel(Level.WARNING);
    }

    final Path root;
    final Path extracted;
    final Path bundle;
    final BlockingQueue<Message> sent = new LinkedBlockingQueue<>();
    final EventQueue events = new EventQueue(100, 60_000, 1);
    private final Path marksFile;
    private final CrashMarks marks;
    final NativePrograms natives;
    /** What the programs' C code calls JavaScript through; not connected until a test says so. */
    final JsBridge js;

    NativeFixture(Path root) throws IOException {
        this(root, null);
    }

    /** With {@code js} for the libraries that call JavaScript (one of its own if null); closed with the fixture. */
    NativeFixture(Path root, JsBridge js) throws IOException {
        this.root = root;
        this.js = js != null ? js : new JsBridge(1, sent::add, 1);
        this.extracted = root.resolve("native");
        this.bundle = Files.createDirectories(root.resolve("bundle"));
        this.marksFile = root.resolve("calls.crash");
        this.marks = new CrashMarks(marksFile);
        this.natives = new NativePrograms(extracted, marks, new CallThreads(), sent::add, events, this.js);
    }

    /** Puts an entry into the program's bundle. */
    void entry(String path, byte[] bytes) throws IOException {
        Path f = bundle.resolve(path);
        Files.createDirectories(f.getParent());
        Files.write(f, bytes);
    }

    void manifest(String json) throws IOException {
        entry(BundleConverter.MANIFEST_COPY, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Loads the test library with every function it defines. */
    void loadTestLibrary() throws Exception {
        entry(TestLibrary.PATH, TestLibrary.bytes());
        manifest(TestLibrary.manifest(TestLibrary.PATH, TestLibrary.FUNCTIONS));
        load();
    }

    void load() throws IOException {
        load(null);
    }

    /** Loads the program from the folder's entries, or its library from {@code jar} if that stores it. */
    void load(Path jar) throws IOException {
        natives.load(PROGRAM, path -> {
            Path f = bundle.resolve(path);
            try {
                return Files.exists(f) ? f.toUri().toURL() : null;
            } catch (MalformedURLException e) {
                throw new UncheckedIOException(e);
            }
        }, jar);
    }

    /** Sends a call with a time to live of 10 s; its id is returned. */
    String send(String function, Object... args) {
        return send(10_000, function, args);
    }

    String send(long ttlMs, String function, Object... args) {
        String id = UUID.randomUUID().toString();
        natives.calls().onCall(new Message.Call(id, PROGRAM, function, List.of(args), ttlMs));
        return id;
    }

    Message.CallResult nextResult() {
        try {
            Message m = sent.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a call's result within 10 s").isInstanceOf(Message.CallResult.class);
            return (Message.CallResult) m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Calls {@code function} and waits for its result. */
    Message.CallResult call(String function, Object... args) {
        String id = send(function, args);
        Message.CallResult r = nextResult();
        assertThat(r.callId()).isEqualTo(id);
        return r;
    }

    /** The crash marks as a crash now would leave them, read from a copy of their file. */
    List<CrashMarks.Mark> marksNow() {
        Path copy = root.resolve("marks-" + UUID.randomUUID());
        try {
            Files.copy(marksFile, copy, StandardCopyOption.REPLACE_EXISTING);
            try (CrashMarks read = new CrashMarks(copy)) {
                return new ArrayList<>(read.takePrevious().marks());
            } finally {
                Files.delete(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folders libraries are extracted to. */
    List<Path> extractedFolders() throws IOException {
        try (var s = Files.list(extracted)) {
            return s.toList();
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("%s within 10 s", what).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public void close() throws IOException {
        natives.close();
        js.close();
        marks.close();
    }
}
