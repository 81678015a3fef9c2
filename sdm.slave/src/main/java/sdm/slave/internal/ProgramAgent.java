package sdm.slave.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.util.tracker.BundleTracker;

import sdm.api.Platform;
import sdm.api.ProgramBundles;
import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;
import sdm.api.node.NodeFiles;
import sdm.transport.zmq.Message;

/**
 * The slave's side of programs: converges this node's Felix to the desired state the master
 * sends (install, update, start, stop, uninstall program bundles), has the {@link Fetcher} get
 * the bundles it lacks, keeps what failed in the {@link FailureBook}, and reports what it has.
 * <p>
 * All of it runs on one thread, so the link's thread never waits on the framework or the disk.
 * The last desired state and the verified bundles are kept in {@code DATA/programs/}: a slave
 * that restarts while its master is away runs what it ran, and a bundle it has is never sent
 * again. Starts are transient: only this agent decides what runs.
 */
final class ProgramAgent implements AutoCloseable {

    private static final String AGENT_THREAD = "sdm-programs";
    private static final Logger LOG = Logger.getLogger("sdm.slave");

    private record Installed(Bundle bundle, String sha256, String version) { }

    private final BundleContext context;
    private final Path dir;
    private final Consumer<Message> toMaster;
    private final DataFolder folder;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name(AGENT_THREAD).daemon().factory());
    /** Reports program bundles that start or stop, for whatever reason. */
    private final BundleTracker<String> stateReporter;
    /** The extender proper: loads a program's library when its bundle is active, unloads it when it stops. */
    private final BundleTracker<String> libraryLoader;
    private final CrashMarks marks;
    private final NativePrograms natives;
    private final FailureBook book;
    private final DesiredStateFile saved;
    private final Fetcher fetcher;
    /** Why a library could not be loaded during the start that is under way (the agent's thread only). */
    private final Map<String, String> loadFailures = new HashMap<>();
    private Message.Desired desired;
    /** The highest revision heard on this connection: an older desired state is never applied after a newer one. */
    private long revisionHeard = -1;
    private final Map<String, Installed> installed = new LinkedHashMap<>();
    private boolean connected;

    ProgramAgent(BundleContext context, Path dir, CallThreads threads, Consumer<Message> toMaster, EventQueue events,
            JsBridge js) throws IOException {
        this.context = context;
        this.dir = dir;
        this.toMaster = toMaster;
        this.folder = new DataFolder(dir);
        this.marks = new CrashMarks(dir.resolve("calls.crash"));
        this.natives = new NativePrograms(dir.resolve("native"), marks, threads, toMaster, events, js);
        this.book = new FailureBook(folder);
        this.saved = new DesiredStateFile(dir);
        this.fetcher = new Fetcher(dir, toMaster, new Fetcher.Listener() {
            @Override
            public void arrived(String sha256) {
                converge();
            }

            @Override
            public void progressed() {
                report();
            }
        });
        this.libraryLoader = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public String addingBundle(Bundle bundle, BundleEvent event) {
                String name = ProgramBundles.programOf(bundle);
                if (name == null) {
                    return null;
                }
                Installed i = installed.get(name); // its revision's file: an update keeps the first location
                try {
                    natives.load(bundle, i != null && i.bundle() == bundle ? fetcher.jar(i.sha256()) : null);
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
        this.stateReporter = new BundleTracker<>(context, Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE
                | Bundle.STOPPING, null) {
            @Override
            public String addingBundle(Bundle bundle, BundleEvent event) {
                return ProgramBundles.programOf(bundle);
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
        stateReporter.open();
        libraryLoader.open();
        thread.execute(() -> {
            deleteLeftovers();
            book.load();
            CrashMarks.Previous previous = marks.takePrevious();
            try {
                desired = saved.load().orElse(null);
            } catch (IOException e) {
                LOG.warning("ignoring " + dir.resolve(DesiredStateFile.FILE) + ": " + e.getMessage());
            }
            if (desired != null) {
                new CrashBlame(List.of(dir.getParent().resolve(NodeFiles.LOG_FOLDER), Path.of("").toAbsolutePath()),
                        AGENT_THREAD).blame(previous).forEach((program, reason) -> desired.programs().stream()
                        .filter(d -> d.name().equals(program)).findFirst().ifPresent(d -> keepFailure(d, reason)));
                LOG.info("running the last desired state (" + desired.programs().size()
                        + " programs) until the master is heard");
                converge();
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
                saved.save(d);
            } catch (IOException e) {
                LOG.warning("cannot keep the desired state: " + e.getMessage());
            }
            converge();
        });
    }

    void onChunk(Message.Chunk c) {
        thread.execute(() -> fetcher.receive(c));
    }

    void onConnected() {
        thread.execute(() -> {
            connected = true;
            revisionHeard = -1;
            fetcher.connected();
            report();
        });
    }

    void onDisconnected() {
        thread.execute(() -> {
            connected = false;
            fetcher.disconnected();
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
            if (d == null || d.state() == ProgramState.UNSUPPORTED) {
                uninstall(name);
            }
        }
        book.retain(want.keySet());
        Set<String> wantedShas = new HashSet<>();
        for (Message.DesiredProgram d : want.values()) {
            if (d.state() == ProgramState.UNSUPPORTED) {
                continue;
            }
            wantedShas.add(d.sha256());
            Installed i = installed.get(d.name());
            if (i == null || !i.sha256().equals(d.sha256())) {
                if (!Files.isRegularFile(fetcher.jar(d.sha256()))) {
                    fetcher.fetch(d);
                    continue;
                }
                if (!installOrUpdate(d, i)) {
                    continue;
                }
            }
            apply(d);
        }
        fetcher.retain(wantedShas);
        installed.values().forEach(i -> wantedShas.add(i.sha256()));
        fetcher.deleteUnused(wantedShas);
        report();
    }

    private boolean installOrUpdate(Message.DesiredProgram d, Installed old) {
        if (book.answering(d) != null) {
            return false;
        }
        try (InputStream in = old == null ? null : Files.newInputStream(fetcher.jar(d.sha256()))) {
            Bundle b;
            if (old == null) {
                b = context.installBundle(fetcher.location(d.sha256()));
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
            book.forget(d.name());
            LOG.info((old == null ? "installed " : "updated ") + d.name() + " " + d.version());
            return true;
        } catch (BundleException | IOException | IllegalStateException e) {
            fail(d, "cannot install: " + ErrorLine.of(e));
            return false;
        }
    }

    private void apply(Message.DesiredProgram d) {
        Installed i = installed.get(d.name());
        if (book.answering(d) != null) {
            return;
        }
        book.forget(d.name());
        Bundle b = i.bundle();
        try {
            if (d.state() == ProgramState.ACTIVE) {
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
            fail(d, ErrorLine.of(e));
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
        book.put(d, reason);
        LOG.warning("program " + d.name() + " " + d.version() + " failed: " + reason);
    }

    private boolean shuttingDown() {
        try {
            return context.getBundle(0).getState() != Bundle.ACTIVE || context.getBundle().getState() != Bundle.ACTIVE;
        } catch (IllegalStateException e) {
            return true; // the context is no longer valid
        }
    }

    private void uninstall(String name) {
        Installed i = installed.remove(name);
        book.forget(name);
        try {
            i.bundle().uninstall();
            refresh(i.bundle());
            LOG.info("uninstalled " + name + " " + i.version());
        } catch (BundleException | IllegalStateException e) {
            LOG.warning("uninstalling " + name + ": " + ErrorLine.of(e));
        }
    }

    /** Drops the old revision at once: its class loader and its extracted native code go with it. */
    private void refresh(Bundle b) {
        if (!ProgramBundles.refresh(context, b)) {
            LOG.warning("refreshing " + b.getLocation() + " did not finish within 30 s");
        }
    }

    private void report() {
        if (desired == null || !connected) {
            return;
        }
        List<Message.ProgramStatus> out = new ArrayList<>();
        for (Message.DesiredProgram d : desired.programs()) {
            if (d.state() == ProgramState.UNSUPPORTED) {
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), ProgramState.UNSUPPORTED,
                        "no library for " + Platform.os() + "/" + Platform.arch(), d.attempt()));
                continue;
            }
            Installed i = installed.get(d.name());
            FailureBook.Failure f = book.answering(d);
            if (f != null) {
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), ProgramState.FAILED, f.reason(),
                        d.attempt()));
            } else if (i != null) {
                ProgramState state = i.bundle().getState() == Bundle.ACTIVE ? ProgramState.ACTIVE
                        : d.state() == ProgramState.INSTALLED ? ProgramState.INSTALLED : ProgramState.STOPPED;
                out.add(new Message.ProgramStatus(d.name(), i.version(), i.sha256(), state, "", d.attempt()));
            } else if (fetcher.fetching(d.sha256())) {
                out.add(new Message.ProgramStatus(d.name(), d.version(), d.sha256(), ProgramState.PENDING,
                        fetcher.progress(d.sha256()), d.attempt()));
            }
        }
        toMaster.accept(new Message.Report(desired.revision(), out));
    }

    private void checkStalls() {
        natives.closeLingering();
        fetcher.checkStalls();
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

    /** What runs the native calls, on the link's thread or the pool. */
    NativeCallRunner calls() {
        return natives.calls();
    }

    @Override
    public void close() {
        libraryLoader.close();
        natives.close();
        try {
            marks.close();
        } catch (IOException e) {
            LOG.fine("closing the crash marks: " + e.getMessage());
        }
        stateReporter.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fetcher.close();
    }
}
