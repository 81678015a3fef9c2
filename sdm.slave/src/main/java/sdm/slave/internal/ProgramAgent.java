package sdm.slave.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.BundleTracker;

import sdm.api.Platform;
import sdm.transport.zmq.DataFolder;
import sdm.transport.zmq.InvalidMessageException;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * The slave's side of programs: converges this node's Felix to the desired state the master
 * sends (install, update, start, stop, uninstall program bundles), fetches the bundles it
 * lacks in chunks with a bounded credit and checks their SHA-256, and reports what it has.
 * <p>
 * All of it runs on one thread, so the link's thread never waits on the framework or the disk.
 * The last desired state and the verified bundles are kept in {@code DATA/programs/}: a slave
 * that restarts while its master is away runs what it ran, and a bundle it has is never sent
 * again. Starts are transient: only this agent decides what runs.
 */
final class ProgramAgent implements AutoCloseable {

    static final int CHUNK = 256 << 10;
    /** Chunks asked for and not yet received, per transfer: at most CREDIT x CHUNK bytes in flight. */
    static final int CREDIT = 8;
    /** No chunk for this long: ask again for what is missing (a slow link may see a few twice). */
    private static final long STALL_MS = 15_000;
    private static final String LOCATION_PREFIX = "jam:";
    private static final String PROGRAM_HEADER = "SDM-Program";
    private static final String AGENT_THREAD = "sdm-programs";
    private static final Logger LOG = Logger.getLogger("sdm.slave");

    private record Installed(Bundle bundle, String sha256, String version) {
    }

    /** A start or install that failed: not tried again until the operator's next attempt. */
    private record Failure(String sha256, String state, long attempt, String reason) {
        boolean answers(Message.DesiredProgram d) {
            return sha256.equals(d.sha256()) && state.equals(d.state()) && attempt == d.attempt();
        }
    }

    private final class Transfer {
        final String sha256;
        final long size;
        final Path part;
        final FileChannel channel;
        final BitSet received = new BitSet();
        final int chunks;
        int cursor;
        int outstanding;
        long lastProgressMs = System.currentTimeMillis();
        long lastReportMs = System.currentTimeMillis();

        Transfer(String sha256, long size) throws IOException {
            this.sha256 = sha256;
            this.size = size;
            this.part = dir.resolve(sha256 + ".part");
            this.channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
        }

        void requestMore() {
            while (outstanding < CREDIT) {
                int next = received.nextClearBit(cursor);
                if (next >= chunks) {
                    return;
                }
                cursor = next + 1;
                outstanding++;
                long offset = (long) next * CHUNK;
                toMaster.accept(new Message.Fetch(sha256, offset, (int) Math.min(CHUNK, size - offset)));
            }
        }

        /** Asks again for whatever is missing, from the start. */
        void restart() {
            cursor = 0;
            outstanding = 0;
            lastProgressMs = System.currentTimeMillis();
        }

        void cancel() {
            close();
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warning("cannot delete " + part + ": " + e.getMessage());
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to write to it
            }
        }
    }

    private final BundleContext context;
    private final Path dir;
    private final Consumer<Message> toMaster;
    private final MessageCodec codec = new MessageCodec();
    private final DataFolder folder;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name(AGENT_THREAD).daemon().factory());
    private final BundleTracker<String> tracker;
    /** The extender proper: loads a program's library when its bundle is active, unloads it when it stops. */
    private final BundleTracker<String> extender;
    private final CrashMarks marks;
    private final NativePrograms natives;
    /** Why a library could not be loaded during the start that is under way (the agent's thread only). */
    private final Map<String, String> loadFailures = new HashMap<>();

    private Message.Desired desired;
    /** The highest revision heard on this connection: an older desired state is never applied after a newer one. */
    private long revisionHeard = -1;
    private final Map<String, Installed> installed = new LinkedHashMap<>();
    private final Map<String, Failure> failures = new HashMap<>();
    private final Map<String, Transfer> transfers = new HashMap<>();
    private boolean connected;

    ProgramAgent(BundleContext context, Path dir, Consumer<Message> toMaster, EventQueue events) throws IOException {
        this.context = context;
        this.dir = dir;
        this.toMaster = toMaster;
        this.folder = new DataFolder(dir);
        this.marks = new CrashMarks(dir.resolve("calls.crash"));
        this.natives = new NativePrograms(dir.resolve("native"), marks, toMaster, events);
        this.extender = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public String addingBundle(Bundle bundle, BundleEvent event) {
                String name = bundle.getHeaders().get(PROGRAM_HEADER);
                if (name == null) {
                    return null;
                }
                try {
                    natives.load(bundle);
                } catch (IOException e) {
                    loadFailures.put(name, e.getMessage());
                }
                return name;
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, String name) {
                natives.unload(name);
            }
        };
        // the extender's view: program bundles that change state for any reason get reported
        this.tracker = new BundleTracker<>(context, Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE
                | Bundle.STOPPING, null) {
            @Override
            public String addingBundle(Bundle bundle, BundleEvent event) {
                return bundle.getHeaders().get(PROGRAM_HEADER);
            }

            @Override
            public void modifiedBundle(Bundle bundle, BundleEvent event, String name) {
                if (event != null && (event.getType() == BundleEvent.STARTED || event.getType() == BundleEvent.STOPPED)) {
                    thread.execute(ProgramAgent.this::report);
                }
            }
        };
    }

    /** Runs what the last desired state says, from the bundles on disk, before the master is heard. */
    void start() {
        tracker.open();
        extender.open();
        thread.execute(() -> {
            deleteLeftovers();
            loadFailures();
            CrashMarks.Previous previous = marks.takePrevious();
            Path file = dir.resolve("desired.json");
            if (Files.exists(file)) {
                try {
                    desired = (Message.Desired) codec.decode(Files.readAllBytes(file));
                    recordCrashes(previous);
                    LOG.info("running the last desired state (" + desired.programs().size()
                            + " programs) until the master is heard");
                    converge();
                } catch (IOException | InvalidMessageException | ClassCastException e) {
                    LOG.warning("ignoring " + file + ": " + e.getMessage());
                }
            }
        });
        thread.scheduleWithFixedDelay(this::checkStalls, 1, 1, TimeUnit.SECONDS);
    }

    void onDesired(Message.Desired d) {
        thread.execute(() -> {
            if (d.revision() < revisionHeard) {
                return;
            }
            revisionHeard = d.revision();
            desired = d;
            try {
                folder.write("desired.json", new String(codec.encode(d), StandardCharsets.UTF_8), false);
            } catch (IOException e) {
                LOG.warning("cannot keep the desired state: " + e.getMessage());
            }
            converge();
        });
    }

    void onChunk(Message.Chunk c) {
        thread.execute(() -> receive(c));
    }

    void onConnected() {
        thread.execute(() -> {
            connected = true;
            revisionHeard = -1;
            // a new session (even on the same socket, to a restarted master): what was asked
            // before it is lost, ask again
            transfers.values().forEach(t -> {
                t.restart();
                t.requestMore();
            });
            report();
        });
    }

    void onDisconnected() {
        thread.execute(() -> {
            connected = false;
            transfers.values().forEach(Transfer::restart);
        });
    }

    // ---- convergence ----

    private void converge() {
        if (desired == null) {
            return;
        }
        Map<String, Message.DesiredProgram> want = new LinkedHashMap<>();
        desired.programs().forEach(p -> want.put(p.name(), p));
        for (String name : new ArrayList<>(installed.keySet())) {
            Message.DesiredProgram d = want.get(name);
            if (d == null || d.state().equals("unsupported")) {
                uninstall(name);
            }
        }
        if (failures.keySet().removeIf(name -> !want.containsKey(name))) {
            saveFailures();
        }
        Set<String> wantedShas = new HashSet<>();
        for (Message.DesiredProgram d : want.values()) {
            if (d.state().equals("unsupported")) {
                continue;
            }
            wantedShas.add(d.sha256());
            Installed i = installed.get(d.name());
            if (i == null || !i.sha256().equals(d.sha256())) {
                if (!Files.isRegularFile(jar(d.sha256()))) {
                    fetch(d);
                    continue;
                }
                if (!installOrUpdate(d, i)) {
                    continue;
                }
            }
            apply(d);
        }
        for (String sha : new ArrayList<>(transfers.keySet())) {
            if (!wantedShas.contains(sha)) {
                transfers.remove(sha).cancel();
            }
        }
        deleteUnusedJars(wantedShas);
        report();
    }

    private boolean installOrUpdate(Message.DesiredProgram d, Installed old) {
        Failure f = failures.get(d.name());
        if (f != null && f.answers(d)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(jar(d.sha256()))) {
            Bundle b;
            if (old == null) {
                b = context.installBundle(LOCATION_PREFIX + d.name(), in);
            } else {
                b = old.bundle();
                LOG.info("updating " + d.name() + " " + old.version() + " -> " + d.version());
                // stopped first, started by apply() after the refresh: one restart, not two
                if ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                    b.stop(Bundle.STOP_TRANSIENT);
                }
                b.update(in);
                refresh(b);
            }
            installed.put(d.name(), new Installed(b, d.sha256(), d.version()));
            if (failures.remove(d.name()) != null) {
                saveFailures();
            }
            LOG.info((old == null ? "installed " : "updated ") + d.name() + " " + d.version());
            return true;
        } catch (BundleException | IOException | IllegalStateException e) {
            fail(d, "cannot install: " + NativePrograms.oneLine(e));
            return false;
        }
    }

    private void apply(Message.DesiredProgram d) {
        Installed i = installed.get(d.name());
        Failure f = failures.get(d.name());
        if (f != null) {
            if (f.answers(d)) {
                return;
            }
            failures.remove(d.name());
            saveFailures();
        }
        Bundle b = i.bundle();
        try {
            if (d.state().equals("active")) {
                if (b.getState() != Bundle.ACTIVE) {
                    b.start(Bundle.START_TRANSIENT);
                    String loadFailure = loadFailures.remove(d.name());
                    if (loadFailure != null) {
                        b.stop(Bundle.STOP_TRANSIENT);
                        fail(d, "cannot load its library: " + loadFailure);
                        return;
                    }
                    LOG.info("started " + d.name() + " " + d.version());
                }
            } else if ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                b.stop(Bundle.STOP_TRANSIENT);
                LOG.info("stopped " + d.name() + " " + d.version());
            }
        } catch (BundleException | IllegalStateException e) {
            fail(d, NativePrograms.oneLine(e));
        }
    }

    /** Marks a program failed at this attempt; kept on disk, so a restart does not try it again. */
    private void fail(Message.DesiredProgram d, String reason) {
        if (shuttingDown()) {
            // "the framework has been shutdown" says nothing of the program: it runs again at the next start
            LOG.info("program " + d.name() + " " + d.version() + " not marked failed, the node is stopping: " + reason);
            return;
        }
        keepFailure(d, reason);
    }

    /** A crash found at start is kept even if the node is already stopping: its marks are consumed. */
    private void keepFailure(Message.DesiredProgram d, String reason) {
        failures.put(d.name(), new Failure(d.sha256(), d.state(), d.attempt(), reason));
        LOG.warning("program " + d.name() + " " + d.version() + " failed: " + reason);
        saveFailures();
    }

    private boolean shuttingDown() {
        try {
            return context.getBundle(0).getState() != Bundle.ACTIVE || context.getBundle().getState() != Bundle.ACTIVE;
        } catch (IllegalStateException e) {
            return true; // the context is no longer valid
        }
    }

    private void saveFailures() {
        StringBuilder text = new StringBuilder();
        failures.forEach((name, f) -> text.append(name).append('\t').append(f.sha256()).append('\t')
                .append(f.state()).append('\t').append(f.attempt()).append('\t')
                .append(f.reason().replace('\t', ' ').replace('\n', ' ')).append('\n'));
        try {
            folder.write("failures.tsv", text.toString().strip(), false);
        } catch (IOException e) {
            LOG.warning("cannot keep the failures: " + e.getMessage());
        }
    }

    private void loadFailures() {
        try {
            for (String line : folder.read("failures.tsv").orElse("").split("\n")) {
                String[] f = line.split("\t", 5);
                if (f.length == 5) {
                    failures.put(f[0], new Failure(f[1], f[2], Long.parseLong(f[3]), f[4]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warning("ignoring failures.tsv: " + e.getMessage());
        }
    }

    /**
     * Native code that was running when the previous run of this node crashed: its program is
     * failed at its current attempt and is not started again until the operator starts it.
     * Only a real crash counts: the JVM's crash report ({@code hs_err_pidN.log}, in the log
     * folder or the working folder) must exist for that run, and it names the thread that
     * faulted, so a call merely in progress on another thread (or a kill -9 during a call)
     * blames nobody.
     */
    private void recordCrashes(CrashMarks.Previous previous) {
        if (previous.marks().isEmpty()) {
            return;
        }
        String thread = crashedThread(previous.pid());
        if (thread == null) {
            LOG.info("the previous run ended during native code, without a crash report: nothing to blame");
            return;
        }
        int slot = thread.equals(AGENT_THREAD) ? CrashMarks.AGENT_SLOT
                : thread.startsWith("sdm-call-") ? Integer.parseInt(thread.substring(9)) % CrashMarks.AGENT_SLOT : -1;
        for (CrashMarks.Mark mark : previous.marks()) {
            if (mark.slot() != slot) {
                continue;
            }
            String reason = mark.what().startsWith("#") ? "node crashed " + mark.what().substring(1).replace(
                    "loading", "while loading").replace("unloading", "while unloading")
                    : "node crashed during " + mark.what() + "()";
            desired.programs().stream().filter(d -> d.name().equals(mark.program())).findFirst()
                    .ifPresent(d -> keepFailure(d, reason));
        }
    }

    /** The thread named as faulting in the crash report of process {@code pid}, or null if there is none. */
    private String crashedThread(long pid) {
        String name = "hs_err_pid" + pid + ".log";
        for (Path candidate : List.of(dir.getParent().resolve("log").resolve(name), Path.of(name).toAbsolutePath())) {
            if (!Files.isRegularFile(candidate)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(candidate, StandardCharsets.ISO_8859_1)) {
                java.util.regex.Pattern current = java.util.regex.Pattern.compile(
                        "^Current thread \\([^)]*\\):\\s+\\w+ \"([^\"]+)\"");
                return lines.map(current::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1))
                        .findFirst().orElse(null);
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.warning("cannot read " + candidate + ": " + e.getMessage());
            }
        }
        return null;
    }

    private void uninstall(String name) {
        Installed i = installed.remove(name);
        if (failures.remove(name) != null) {
            saveFailures();
        }
        try {
            i.bundle().uninstall();
            refresh(i.bundle());
            LOG.info("uninstalled " + name + " " + i.version());
        } catch (BundleException | IllegalStateException e) {
            LOG.warning("uninstalling " + name + ": " + NativePrograms.oneLine(e));
        }
    }

    /**
     * Drops the old revision at once (its class loader, its extracted native code) and waits for
     * it: a start right after must not race the refresh.
     */
    private void refresh(Bundle b) {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                LOG.warning("refreshing " + b.getLocation() + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report() {
        if (desired == null || !connected) {
            return;
        }
        List<Message.ProgramStatus> out = new ArrayList<>();
        for (Message.DesiredProgram d : desired.programs()) {
            if (d.state().equals("unsupported")) {
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), "unsupported",
                        "no library for " + Platform.os() + "/" + Platform.arch(), d.attempt()));
                continue;
            }
            Installed i = installed.get(d.name());
            Failure f = failures.get(d.name());
            if (f != null && f.answers(d)) {
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), "failed", f.reason(),
                        d.attempt()));
            } else if (i != null) {
                String state = i.bundle().getState() == Bundle.ACTIVE ? "active"
                        : d.state().equals("installed") ? "installed" : "stopped";
                out.add(new Message.ProgramStatus(d.name(), i.version(), i.sha256(), state, "", d.attempt()));
            } else if (transfers.containsKey(d.sha256())) {
                Transfer t = transfers.get(d.sha256());
                long have = Math.min(t.size, (long) t.received.cardinality() * CHUNK);
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), "pending",
                        "fetching: " + have * 100 / t.size + "% of " + t.size + " bytes", d.attempt()));
            }
        }
        toMaster.accept(new Message.Report(desired.revision(), out));
    }

    // ---- transfers ----

    private Path jar(String sha256) {
        return dir.resolve(sha256 + ".jar");
    }

    private void fetch(Message.DesiredProgram d) {
        Transfer t = transfers.get(d.sha256());
        if (t == null) {
            try {
                t = new Transfer(d.sha256(), d.size());
            } catch (IOException e) {
                LOG.warning("cannot receive " + d.name() + ": " + e.getMessage());
                return;
            }
            transfers.put(d.sha256(), t);
            LOG.info("fetching " + d.name() + " " + d.version() + " (" + d.size() + " bytes)");
        }
        if (connected) {
            t.requestMore();
        }
    }

    private void receive(Message.Chunk c) {
        Transfer t = transfers.get(c.sha256());
        if (t == null || c.size() != t.size || c.offset() % CHUNK != 0) {
            return;
        }
        int index = (int) (c.offset() / CHUNK);
        long expected = Math.min(CHUNK, t.size - c.offset());
        if (c.data().length != expected) {
            return;
        }
        if (t.received.get(index)) {
            // asked twice after a stall on a slow link: still a sign that bytes are flowing
            t.lastProgressMs = System.currentTimeMillis();
            return;
        }
        try {
            ByteBuffer data = ByteBuffer.wrap(c.data());
            while (data.hasRemaining()) {
                t.channel.write(data, c.offset() + data.position());
            }
        } catch (IOException e) {
            LOG.warning("cannot write " + t.part + ": " + e.getMessage());
            transfers.remove(t.sha256).cancel();
            return;
        }
        t.received.set(index);
        t.outstanding = Math.max(0, t.outstanding - 1);
        long now = System.currentTimeMillis();
        if (now - t.lastReportMs >= 1_000) {
            t.lastReportMs = now;
            report();
        }
        t.lastProgressMs = now;
        if (t.received.cardinality() == t.chunks) {
            complete(t);
        } else if (connected) {
            t.requestMore();
        }
    }

    private void complete(Transfer t) {
        transfers.remove(t.sha256);
        try {
            t.channel.force(true);
            t.close();
            String actual = sha256(t.part);
            if (!actual.equals(t.sha256)) {
                LOG.warning("bundle " + t.sha256 + " arrived with digest " + actual + "; fetching it again");
                Files.deleteIfExists(t.part);
                return;
            }
            try {
                Files.move(t.part, jar(t.sha256), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(t.part, jar(t.sha256), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warning("cannot keep bundle " + t.sha256 + ": " + e.getMessage());
            t.cancel();
            return;
        }
        converge();
    }

    private void checkStalls() {
        natives.closeLingering();
        long now = System.currentTimeMillis();
        for (Transfer t : transfers.values()) {
            if (connected && now - t.lastProgressMs > STALL_MS) {
                LOG.info("transfer of " + t.sha256 + " stalled; asking again");
                t.restart();
                t.requestMore();
            }
        }
    }

    private void deleteUnusedJars(Set<String> wantedShas) {
        Set<String> keep = new HashSet<>(wantedShas);
        installed.values().forEach(i -> keep.add(i.sha256()));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                boolean jar = n.endsWith(".jar") && !keep.contains(n.substring(0, n.length() - 4));
                boolean part = n.endsWith(".part") && !transfers.containsKey(n.substring(0, n.length() - 5));
                if (jar || part) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot clean " + dir + ": " + e.getMessage());
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 << 10];
            for (int n; (n = in.read(buffer)) > 0;) {
                md.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Temporary files a crash left behind. */
    private void deleteLeftovers() {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot clean " + dir + ": " + e.getMessage());
        }
    }

    /** From the link's thread: the call runs on the native pool. */
    void onCall(Message.Call call) {
        natives.onCall(call);
    }

    @Override
    public void close() {
        extender.close();
        natives.close();
        try {
            marks.close();
        } catch (IOException e) {
            LOG.fine("closing the crash marks: " + e.getMessage());
        }
        tracker.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transfers.values().forEach(Transfer::close);
        LOG.log(Level.FINE, "program agent closed");
    }
}
