package sdm.master.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

import sdm.api.NodeInfo;
import sdm.archive.ArchiveException;
import sdm.archive.ArchiveLimits;
import sdm.archive.BundleConverter;
import sdm.archive.JamArchive;
import sdm.archive.JamManifest;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.ThrottledLog;

/**
 * Programs on the machine: the desired state of each (kept by the {@link ProgramStore}), its
 * bundle in the master's own Felix, and what every slave reports. A change is recorded first,
 * then carried out on the master, then sent to every online slave as that slave's whole desired
 * state; the command then waits, up to its timeout, for the online slaves that the program
 * selects to report on this very change (its attempt). Slaves that connect, come back, or fall
 * behind are sent their desired state again: convergence, never a replay of commands.
 * <p>
 * Threads: changes come from shell commands and the deploy folder, one at a time (the
 * {@code changes} lock); reports and fetches come from the endpoint thread, which never waits
 * on a lock held across disk or network work; the sweeper re-sends desired states.
 */
public final class ProgramManager {

    /** How the manager reaches slaves: the endpoint, once it is bound. */
    interface Wire {
        void send(String routingId, Message message);
    }

    /** One node's state for a program, as the commands print it. */
    record NodeState(String nodeId, String name, String state, String detail) {
    }

    /** A program and where each node stands with it. */
    record View(ProgramStore.Program program, JamManifest manifest, NodeState master, List<NodeState> nodes) {
        /** Selected slaves at the desired state (or unsupported, which is all they can be). */
        long atDesired() {
            return nodes.stream().filter(n -> n.state().equals(program.state()) || n.state().equals("unsupported"))
                    .count();
        }
    }

    /** An update under way: slaves not yet in {@code updated} keep the old version. */
    private record Rollout(ProgramStore.Program old, Set<String> updated) {
    }

    static final String LOCATION_PREFIX = "jam:";
    /** The largest chunk the master sends for one fetch, whatever was asked. */
    static final int MAX_CHUNK = 256 << 10;
    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final long REPUSH_MS = 2_000;

    private final BundleContext context;
    private final ProgramStore store;
    private final NodeRegistry registry;
    private final ArchiveLimits limits;
    private final Path deployDir;
    private final Object changes = new Object();
    private final Object pushes = new Object();
    private final Object reported = new Object();
    private final Map<String, Map<String, Message.ProgramStatus>> reports = new ConcurrentHashMap<>();
    private final Map<String, Long> lastPush = new ConcurrentHashMap<>();
    private final Map<String, String> masterFailures = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<String> uninstalled = name -> { };
    private final Map<String, JamManifest> manifests = new ConcurrentHashMap<>();
    private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
    private final ThrottledLog dropLog = new ThrottledLog(LOG, 5, 60_000);
    private final ThreadPoolExecutor io = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(4096), Thread.ofPlatform().name("sdm-bundle-io").daemon().factory(),
            (task, pool) -> dropLog.warn("bundle reads are behind: a fetch was dropped (the slave asks again)"));
    private ProgramExtender extender;
    private volatile Wire wire;

    ProgramManager(BundleContext context, ProgramStore store, NodeRegistry registry, ArchiveLimits limits,
            Path deployDir) {
        this.context = context;
        this.store = store;
        this.registry = registry;
        this.limits = limits;
        this.deployDir = deployDir;
    }

    /**
     * Brings the master's Felix to the stored desired state, before any slave is heard: programs
     * whose deploy-folder file vanished while the master was down are uninstalled first, so they
     * never run again.
     */
    void start() throws IOException {
        extender = new ProgramExtender(context, masterFailures::put);
        for (ProgramStore.Program p : store.programs()) {
            manifests.put(p.sha256(), readManifest(p.sha256()));
            if (p.source().startsWith("deploy:") && deployDir != null
                    && !Files.exists(deployDir.resolve(p.source().substring("deploy:".length())))) {
                LOG.info("program " + p.name() + ": " + p.source().substring("deploy:".length())
                        + " left the deploy folder while the master was down; uninstalling it");
                store.remove(p.name());
                uninstalled.accept(p.name());
                continue;
            }
            try {
                installLocal(p);
                applyLocal(p);
            } catch (BundleException | IOException e) {
                masterFailures.put(p.name(), oneLine(e));
                LOG.warning("program " + p.name() + " cannot be installed on the master: " + oneLine(e));
            }
        }
        collectGarbage();
    }

    void connect(Wire endpoint) {
        this.wire = endpoint;
    }

    void close() {
        wire = null;
        io.shutdownNow();
        if (extender != null) {
            extender.close();
        }
    }

    // ---- commands ----

    View install(Path file, boolean start, List<String> grants, String source, Duration timeout)
            throws ProgramException {
        long deadline = deadline(timeout);
        String name;
        synchronized (changes) {
            try (PrivateCopy zip = privateCopy(file)) {
                JamArchive archive = read(zip.path(), file);
                JamManifest m = archive.manifest();
                name = m.name();
                Optional<ProgramStore.Program> existing = store.get(name);
                if (existing.isPresent()) {
                    throw new ProgramException("program " + name + " is already installed (version "
                            + existing.get().version() + "); use sdm:update to replace it");
                }
                checkGrants(m, grants);
                ProgramStore.Program p = stage(archive, zip.path(), m, start ? "active" : "installed", grants,
                        source, nextAttempt());
                try {
                    installLocal(p);
                } catch (BundleException | IOException e) {
                    collectGarbage();
                    throw new ProgramException(name + " cannot be installed on the master: " + oneLine(e));
                }
                record(p);
                applyLocal(p);
                LOG.info("installed program " + p.name() + " " + p.version() + (start ? ", started" : ""));
                pushAll();
            }
        }
        return await(name, deadline);
    }

    /**
     * Replaces a program with the archive's version, keeping its desired state. The master goes
     * first, then the online selected slaves one at a time: each is sent the new version and
     * waited for (within the command's timeout) before the next, so a program never goes down on
     * every node at once. Offline slaves get the new version when they return.
     */
    View update(Path file, List<String> extraGrants, String source, Duration timeout) throws ProgramException {
        long deadline = deadline(timeout);
        String name;
        synchronized (changes) {
            try (PrivateCopy zip = privateCopy(file)) {
                JamArchive archive = read(zip.path(), file);
                JamManifest m = archive.manifest();
                name = m.name();
                ProgramStore.Program old = store.get(name).orElseThrow(() -> new ProgramException(
                        "no program " + name + " is installed; use sdm:install"));
                List<String> grants = new ArrayList<>(old.grants());
                extraGrants.stream().filter(g -> !grants.contains(g)).forEach(grants::add);
                checkGrants(m, grants);
                ProgramStore.Program p = stage(archive, zip.path(), m, old.state(), grants,
                        source == null ? old.source() : source, nextAttempt());
                if (p.sha256().equals(old.sha256()) && p.grants().equals(old.grants())
                        && p.source().equals(old.source())) {
                    return await(name, deadline);
                }
                roll(old, p, m, deadline);
            }
        }
        return await(name, deadline);
    }

    private void roll(ProgramStore.Program old, ProgramStore.Program p, JamManifest m, long deadline)
            throws ProgramException {
        try {
            installLocal(p);
        } catch (BundleException | IOException e) {
            collectGarbage();
            throw new ProgramException(p.name() + " cannot be updated on the master: " + oneLine(e));
        }
        Rollout rollout = new Rollout(old, ConcurrentHashMap.newKeySet());
        rollouts.put(p.name(), rollout);
        try {
            record(p);
            masterFailures.remove(p.name());
            applyLocal(p);
            LOG.info("updating program " + p.name() + " " + old.version() + " -> " + p.version());
            for (NodeInfo n : registry.snapshot()) {
                if (n.online() && selects(m, n)) {
                    rollout.updated().add(n.id());
                    push(n);
                    waitUntil(() -> nodeSettled(p.name(), n.id()), deadline);
                }
            }
        } finally {
            rollouts.remove(p.name());
            pushAll();
            collectGarbage();
        }
    }

    /** Starts or stops a program everywhere; a new attempt, so nodes where it failed try again. */
    View setState(String name, String state, Duration timeout) throws ProgramException {
        long deadline = deadline(timeout);
        synchronized (changes) {
            ProgramStore.Program p = program(name).withState(state, nextAttempt());
            record(p);
            masterFailures.remove(name);
            applyLocal(p);
            LOG.info("program " + name + " desired " + state);
            pushAll();
        }
        return await(name, deadline);
    }

    boolean isInstalled(String name) {
        return store.get(name).isPresent();
    }

    /** The program's master part (its JavaScript) failed after it started. */
    void masterFailed(String name, String reason) {
        if (store.get(name).isPresent()) {
            masterFailures.put(name, reason);
        }
    }

    /**
     * After {@link #masterFailed}, off the runtime's threads: stops the program's bundle on the
     * master (transiently), so that the operator's next {@code sdm:start} runs it afresh.
     */
    void stopFailedLocal(String name) {
        synchronized (changes) {
            Bundle b = localBundle(name);
            if (b != null && masterFailures.containsKey(name) && (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                try {
                    b.stop(Bundle.STOP_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.warning("stopping failed program " + name + " on the master: " + oneLine(e));
                }
            }
        }
    }

    /** Called with a program's name once it is uninstalled, to delete what else the master keeps for it. */
    void onUninstalled(java.util.function.Consumer<String> listener) {
        uninstalled = listener;
    }

    /** Uninstalls everywhere; returns each node's last state (the view's nodes are those that still had it). */
    View uninstall(String name, Duration timeout) throws ProgramException {
        long deadline = deadline(timeout);
        ProgramStore.Program p;
        JamManifest m;
        synchronized (changes) {
            p = program(name);
            m = manifests.get(p.sha256());
            try {
                store.remove(name);
            } catch (IOException e) {
                throw new ProgramException("cannot record the uninstall of " + name + ": " + e.getMessage());
            }
            Bundle b = localBundle(name);
            if (b != null) {
                try {
                    b.uninstall();
                    refresh(b);
                } catch (BundleException | IllegalStateException e) {
                    LOG.warning("uninstalling " + name + " on the master: " + oneLine(e));
                }
            }
            masterFailures.remove(name);
            uninstalled.accept(name);
            LOG.info("uninstalled program " + name);
            pushAll();
        }
        waitUntil(() -> registry.snapshot().stream()
                .noneMatch(n -> n.online() && reports.getOrDefault(n.id(), Map.of()).containsKey(name)), deadline);
        synchronized (changes) {
            collectGarbage();
        }
        List<NodeState> nodes = new ArrayList<>();
        for (NodeInfo n : registry.snapshot()) {
            Message.ProgramStatus s = reports.getOrDefault(n.id(), Map.of()).get(name);
            if (s != null || selects(m, n)) {
                nodes.add(!n.online() ? new NodeState(n.id(), n.name(), "pending", "offline: removed when it returns")
                        : s == null ? new NodeState(n.id(), n.name(), "removed", "")
                        : new NodeState(n.id(), n.name(), s.state(), "still there after " + timeout.toSeconds() + " s"));
            }
        }
        return new View(p, m, new NodeState("master", "master", "removed", ""), nodes);
    }

    /**
     * The deploy folder's install-or-update, started: nothing happens if the program already has
     * these bytes. A file that now holds another program replaces the one it held.
     */
    View deploy(Path file, Duration timeout) throws ProgramException {
        String source = "deploy:" + file.getFileName();
        String name;
        try (PrivateCopy zip = privateCopy(file)) {
            name = read(zip.path(), file).manifest().name();
        }
        Optional<ProgramStore.Program> previous = store.programs().stream()
                .filter(p -> p.source().equals(source) && !p.name().equals(name)).findFirst();
        if (previous.isPresent()) {
            uninstall(previous.get().name(), timeout);
        }
        return store.get(name).isEmpty() ? install(file, true, List.of(), source, timeout)
                : update(file, List.of(), source, timeout);
    }

    /** The deploy folder's uninstall: the program that came from that file, if any. */
    Optional<View> undeploy(String fileName, Duration timeout) throws ProgramException {
        Optional<ProgramStore.Program> p = store.programs().stream()
                .filter(x -> x.source().equals("deploy:" + fileName)).findFirst();
        return p.isPresent() ? Optional.of(uninstall(p.get().name(), timeout)) : Optional.empty();
    }

    List<View> apps() {
        return store.programs().stream().map(this::view).toList();
    }

    View app(String name) throws ProgramException {
        return view(program(name));
    }

    private ProgramStore.Program program(String name) throws ProgramException {
        return store.get(name).orElseThrow(() -> new ProgramException("no program named '" + name + "' is installed"));
    }

    /**
     * Attempts are numbered from the store's revision, which only grows: a program uninstalled and
     * installed again never repeats an attempt that a node may remember failing.
     */
    private long nextAttempt() {
        return store.revision() + 1;
    }

    private static long deadline(Duration timeout) {
        return System.currentTimeMillis() + timeout.toMillis();
    }

    /** A copy of an archive that only the master can change, read and converted from the same bytes. */
    private record PrivateCopy(Path path) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warning("cannot delete " + path + ": " + e.getMessage());
            }
        }
    }

    private PrivateCopy privateCopy(Path file) throws ProgramException {
        if (!Files.isRegularFile(file)) {
            throw new ProgramException(file + ": no such file");
        }
        Path copy = store.incoming().resolve(UUID.randomUUID() + ".jam.zip");
        try {
            long size = Files.size(file);
            if (size > limits.maxArchiveBytes()) {
                throw new ProgramException(file.getFileName() + ": is " + size + " bytes, over the limit of "
                        + limits.maxArchiveBytes());
            }
            Files.copy(file, copy);
            return new PrivateCopy(copy);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException ignored) {
                // the incoming folder is emptied at the next start
            }
            throw new ProgramException(file.getFileName() + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Reads the private copy; errors name the file the operator gave. */
    private JamArchive read(Path copy, Path original) throws ProgramException {
        try {
            return JamArchive.read(copy, limits);
        } catch (ArchiveException e) {
            String m = e.getMessage();
            String prefix = copy.getFileName() + ": ";
            throw new ProgramException(original.getFileName() + ": "
                    + (m.startsWith(prefix) ? m.substring(prefix.length()) : m));
        }
    }

    private static void checkGrants(JamManifest m, List<String> grants) throws ProgramException {
        List<String> missing = m.privileges().stream().filter(p -> !grants.contains(p)).toList();
        if (!missing.isEmpty()) {
            throw new ProgramException(m.name() + " needs privileges that were not granted: "
                    + String.join(", ", missing) + " (install with --grant " + String.join(",", missing) + ")");
        }
    }

    private ProgramStore.Program stage(JamArchive archive, Path zip, JamManifest m, String state,
            List<String> grants, String source, long attempt) throws ProgramException {
        try {
            ProgramStore.Staged s = store.stage(archive, zip);
            manifests.put(s.sha256(), m);
            return new ProgramStore.Program(m.name(), m.version(), s.sha256(), s.size(), state, grants, source,
                    attempt);
        } catch (IOException | RuntimeException e) {
            throw new ProgramException("cannot store the bundle of " + m.name() + ": " + oneLine(e));
        }
    }

    private void record(ProgramStore.Program p) throws ProgramException {
        try {
            store.put(p);
        } catch (IOException e) {
            throw new ProgramException("cannot record the desired state of " + p.name() + ": " + e.getMessage());
        }
    }

    /** Under the {@code changes} lock: no bundle is being staged, and rollouts keep their old bundle. */
    private void collectGarbage() {
        Set<String> keep = new HashSet<>();
        rollouts.values().forEach(r -> keep.add(r.old().sha256()));
        try {
            store.collectGarbage(keep);
        } catch (IOException e) {
            LOG.warning("cannot delete unused bundles: " + e.getMessage());
        }
        store.programs().forEach(p -> keep.add(p.sha256()));
        manifests.keySet().retainAll(keep);
    }

    // ---- the master's own framework ----

    private Bundle localBundle(String name) {
        return context.getBundle(LOCATION_PREFIX + name);
    }

    /** Installs the program's bundle, or updates it to the stored bytes (stopped first: one restart, not two). */
    private void installLocal(ProgramStore.Program p) throws BundleException, IOException {
        Bundle b = localBundle(p.name());
        try (InputStream in = Files.newInputStream(store.bundle(p.sha256()))) {
            if (b == null) {
                context.installBundle(LOCATION_PREFIX + p.name(), in);
            } else {
                if ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                    b.stop(Bundle.STOP_TRANSIENT);
                }
                b.update(in);
                refresh(b);
            }
        }
    }

    /**
     * Starts or stops the program's bundle as its desired state says. Starts are transient: after
     * a restart the master starts what the store says, and nothing else.
     */
    private void applyLocal(ProgramStore.Program p) {
        Bundle b = localBundle(p.name());
        if (b == null) {
            return;
        }
        try {
            if (p.state().equals("active")) {
                if (!masterFailures.containsKey(p.name())) {
                    b.start(Bundle.START_TRANSIENT);
                }
            } else if ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                b.stop(Bundle.STOP_TRANSIENT);
            }
        } catch (BundleException | IllegalStateException e) {
            masterFailures.put(p.name(), oneLine(e));
            LOG.warning("program " + p.name() + " on the master: " + oneLine(e));
        }
    }

    /** Drops the bundle's old revision, and waits for it: a start right after must not race the refresh. */
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

    private NodeState masterState(ProgramStore.Program p) {
        String failure = masterFailures.get(p.name());
        if (failure != null) {
            return new NodeState("master", "master", "failed", failure);
        }
        Bundle b = localBundle(p.name());
        if (b == null) {
            return new NodeState("master", "master", "pending", "not installed");
        }
        boolean active = b.getState() == Bundle.ACTIVE;
        String state = active ? "active" : p.state().equals("active") ? "pending" : p.state();
        return new NodeState("master", "master", state, "");
    }

    // ---- native calls ----

    /** Where a call goes: a node and its connection, or why that node cannot take it. */
    record Target(NodeInfo node, String routingId, String error) {
    }

    /** A call checked against the program's manifest and state. */
    record CallPlan(JamManifest.Function function, List<Object> args, List<Target> targets) {
    }

    /**
     * Checks a call: the program is installed and started, has the function, the arguments
     * convert by its declared types; and says for each node asked (or each it is placed on)
     * whether it can be called now.
     */
    CallPlan planCall(String program, String function, List<?> args, Set<String> nodeIds)
            throws sdm.api.CallException {
        ProgramStore.Program p = store.get(program).orElseThrow(
                () -> new sdm.api.CallException("no program named '" + program + "' is installed"));
        JamManifest m = manifests.get(p.sha256());
        if (m == null || m.nativeCode() == null) {
            throw new sdm.api.CallException("program " + program + " has no native functions");
        }
        JamManifest.Function f = m.nativeCode().functions().stream().filter(x -> x.name().equals(function))
                .findFirst().orElseThrow(() -> new sdm.api.CallException("program " + program + " has no function '"
                        + function + "' (it has " + String.join(", ", m.nativeCode().functions().stream()
                                .map(JamManifest.Function::name).toList()) + ")"));
        if (args.size() != f.params().size()) {
            String signature = function + "(" + String.join(", ", f.params()) + ")";
            throw new sdm.api.CallException(signature + " takes " + f.params().size() + " argument"
                    + (f.params().size() == 1 ? "" : "s") + ", got " + args.size());
        }
        List<Object> typed = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            try {
                typed.add(sdm.archive.NativeType.named(f.params().get(i)).argument(args.get(i)));
            } catch (IllegalArgumentException e) {
                String signature = function + "(" + String.join(", ", f.params()) + ")";
                throw new sdm.api.CallException("argument " + (i + 1) + " of " + signature + ": " + e.getMessage());
            }
        }
        if (!p.state().equals("active")) {
            throw new sdm.api.CallException("program " + program + " is not started (it is " + p.state() + ")");
        }
        List<NodeInfo> chosen;
        if (nodeIds.isEmpty()) {
            chosen = registry.snapshot().stream().filter(n -> selects(m, n)).toList();
        } else {
            chosen = new ArrayList<>(nodeIds.size());
            for (String id : nodeIds) {
                NodeInfo n = registry.node(id);
                if (n == null || !selects(m, n)) {
                    throw new sdm.api.CallException("node " + id + " is not one of program " + program + "'s nodes");
                }
                chosen.add(n);
            }
        }
        List<Target> targets = new ArrayList<>();
        for (NodeInfo n : chosen) {
            Message.ProgramStatus s = reports.getOrDefault(n.id(), Map.of()).get(program);
            String routingId = registry.routingIdOf(n.id());
            String error = !n.online() || routingId == null ? "node is offline"
                    : !supports(m, n) ? "unsupported: no library for " + n.os() + "/" + n.arch()
                    : s == null || !s.sha256().equals(p.sha256()) ? "program " + program + " is not active there yet"
                    : s.state().equals("failed") ? "program " + program + " failed there: " + s.error()
                    : !s.state().equals("active") ? "program " + program + " is " + s.state() + " there"
                    : null;
            targets.add(new Target(n, error == null ? routingId : null, error));
        }
        return new CallPlan(f, typed, targets);
    }

    // ---- slaves ----

    /** Whether a program's native part goes to this node: it has one, and the node has every placement label. */
    static boolean selects(JamManifest m, NodeInfo node) {
        if (m == null || m.nativeCode() == null) {
            return false;
        }
        Map<String, String> wanted = m.placement() == null ? Map.of() : m.placement().labels();
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(node.labels().get(e.getKey())));
    }

    static boolean supports(JamManifest m, NodeInfo node) {
        return m.nativeCode().libraries().stream()
                .anyMatch(l -> l.os().equals(node.os()) && l.arch().equals(node.arch()));
    }

    private String expected(ProgramStore.Program p, JamManifest m, NodeInfo node) {
        return supports(m, node) ? p.state() : "unsupported";
    }

    /** A node (re)registered: forget what it said on its last connection and send it its desired state. */
    void nodeRegistered(String nodeId) {
        reports.remove(nodeId);
        registry.snapshot().stream().filter(n -> n.id().equals(nodeId)).findFirst().ifPresent(this::push);
    }

    void onReport(String nodeId, Message.Report report) {
        Map<String, Message.ProgramStatus> byName = new HashMap<>();
        report.programs().forEach(s -> byName.put(s.name(), s));
        reports.put(nodeId, byName);
        synchronized (reported) {
            reported.notifyAll();
        }
    }

    /**
     * A slave asks for part of a bundle: served off the endpoint thread, at most {@value #MAX_CHUNK}
     * bytes, and only for bundles the store (or an update under way) names.
     */
    void onFetch(String routingId, Message.Fetch fetch) {
        if (!store.names(fetch.sha256())
                && rollouts.values().stream().noneMatch(r -> r.old().sha256().equals(fetch.sha256()))) {
            return;
        }
        io.execute(() -> {
            Wire w = wire;
            if (w == null) {
                return;
            }
            try (FileChannel ch = FileChannel.open(store.bundle(fetch.sha256()), StandardOpenOption.READ)) {
                long size = ch.size();
                if (fetch.offset() >= size) {
                    return;
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.min(fetch.length(), MAX_CHUNK),
                        size - fetch.offset()));
                while (buffer.hasRemaining() && ch.read(buffer, fetch.offset() + buffer.position()) > 0) {
                    // positional reads may return less than asked
                }
                w.send(routingId, new Message.Chunk(fetch.sha256(), fetch.offset(), size, buffer.array()));
            } catch (IOException e) {
                // the bundle was uninstalled meanwhile: the slave gets a new desired state anyway
            }
        });
    }

    /** Sends every online node its desired state. */
    private void pushAll() {
        registry.snapshot().stream().filter(NodeInfo::online).forEach(this::push);
    }

    /**
     * One lock around building and queueing: a desired state built before a change can never be
     * queued after one built from it.
     */
    private void push(NodeInfo node) {
        synchronized (pushes) {
            Wire w = wire;
            String routingId = registry.routingIdOf(node.id());
            if (w == null || routingId == null) {
                return;
            }
            w.send(routingId, new Message.Desired(store.revision(), desiredFor(node)));
            lastPush.put(node.id(), System.currentTimeMillis());
        }
    }

    private List<Message.DesiredProgram> desiredFor(NodeInfo node) {
        List<Message.DesiredProgram> out = new ArrayList<>();
        for (ProgramStore.Program latest : store.programs()) {
            Rollout r = rollouts.get(latest.name());
            ProgramStore.Program p = r == null || r.updated().contains(node.id()) ? latest : r.old();
            JamManifest m = manifests.get(p.sha256());
            if (selects(m, node)) {
                out.add(new Message.DesiredProgram(p.name(), p.version(), p.sha256(), p.size(), expected(p, m, node),
                        p.attempt()));
            }
        }
        return out;
    }

    /**
     * Anti-entropy, every second: a node that is online but not at its desired state, and was
     * last sent it a while ago, is sent it again (a message lost to a reconnection, a node back
     * from a freeze).
     */
    void sweep(long now) {
        for (NodeInfo node : registry.snapshot()) {
            if (node.online() && !converged(node) && now - lastPush.getOrDefault(node.id(), 0L) > REPUSH_MS) {
                push(node);
            }
        }
        synchronized (reported) {
            reported.notifyAll();
        }
    }

    private boolean converged(NodeInfo node) {
        Map<String, Message.ProgramStatus> has = reports.get(node.id());
        if (has == null) {
            return false;
        }
        List<Message.DesiredProgram> want = desiredFor(node);
        if (want.size() != has.size()) {
            return false;
        }
        for (Message.DesiredProgram d : want) {
            Message.ProgramStatus s = has.get(d.name());
            if (s == null || !settled(s, d.sha256(), d.state(), d.attempt())) {
                return false;
            }
        }
        return true;
    }

    /** A node has answered this attempt: it is there, or it failed at it. */
    private static boolean settled(Message.ProgramStatus s, String sha256, String expected, long attempt) {
        return s.sha256().equals(sha256) && s.attempt() == attempt
                && (s.state().equals(expected) || s.state().equals("failed"));
    }

    private View view(ProgramStore.Program p) {
        JamManifest m = manifests.get(p.sha256());
        List<NodeState> nodes = new ArrayList<>();
        for (NodeInfo n : registry.snapshot()) {
            if (!selects(m, n)) {
                continue;
            }
            Message.ProgramStatus s = reports.getOrDefault(n.id(), Map.of()).get(p.name());
            String last = s == null ? "" : "; last " + s.state() + " " + s.version();
            if (!n.online()) {
                nodes.add(new NodeState(n.id(), n.name(), "pending", "offline" + last));
            } else if (s == null) {
                nodes.add(new NodeState(n.id(), n.name(), "pending", "not reported yet"));
            } else if (!s.sha256().equals(p.sha256())) {
                nodes.add(new NodeState(n.id(), n.name(), "pending", "has " + s.version() + " " + s.state()));
            } else {
                nodes.add(new NodeState(n.id(), n.name(), s.state(), s.error()));
            }
        }
        return new View(p, m, masterState(p), nodes);
    }

    /** Whether one node has settled on the program's desired state (or is offline, and not waited for). */
    private boolean nodeSettled(String name, String nodeId) {
        Optional<ProgramStore.Program> p = store.get(name);
        Optional<NodeInfo> node = registry.snapshot().stream().filter(n -> n.id().equals(nodeId)).findFirst();
        if (p.isEmpty() || node.isEmpty() || !node.get().online()) {
            return true;
        }
        Message.ProgramStatus s = reports.getOrDefault(nodeId, Map.of()).get(name);
        JamManifest m = manifests.get(p.get().sha256());
        return s != null && settled(s, p.get().sha256(), expected(p.get(), m, node.get()), p.get().attempt());
    }

    /** Waits until every online selected node has answered the program's current attempt, or the deadline. */
    private View await(String name, long deadline) throws ProgramException {
        waitUntil(() -> {
            Optional<ProgramStore.Program> p = store.get(name);
            if (p.isEmpty()) {
                return true;
            }
            JamManifest m = manifests.get(p.get().sha256());
            return registry.snapshot().stream().filter(n -> n.online() && selects(m, n))
                    .allMatch(n -> nodeSettled(name, n.id()));
        }, deadline);
        return view(program(name));
    }

    /** The condition is checked outside the monitor, so the endpoint thread's notify never waits on it. */
    private void waitUntil(BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            synchronized (reported) {
                try {
                    reported.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private JamManifest readManifest(String sha256) throws IOException {
        try (ZipFile zip = new ZipFile(store.bundle(sha256).toFile())) {
            ZipEntry e = zip.getEntry(BundleConverter.MANIFEST_COPY);
            if (e == null) {
                throw new IOException("bundle " + sha256 + " has no " + BundleConverter.MANIFEST_COPY);
            }
            try (InputStream in = zip.getInputStream(e)) {
                return JamManifest.parse(in.readAllBytes());
            } catch (ArchiveException ex) {
                throw new IOException("bundle " + sha256 + ": " + ex.getMessage());
            }
        }
    }

    /** The first line of an exception's message, for the operator. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }
}
