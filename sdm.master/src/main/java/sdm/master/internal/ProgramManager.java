package sdm.master.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.osgi.framework.BundleException;

import sdm.api.NodeInfo;
import sdm.api.ProgramState;
import sdm.api.node.ErrorLine;
import sdm.archive.ArchiveException;
import sdm.archive.ArchiveLimits;
import sdm.archive.JamArchive;
import sdm.archive.JamManifest;

/**
 * The operations on programs: install, update, start, stop, uninstall, from the shell and the
 * deploy folder. A change is recorded first (the {@link ProgramStore}), then carried out on the
 * master ({@link MasterFramework}), then sent to every online slave as that slave's whole
 * desired state ({@link Convergence}); the command then waits, up to its timeout, for the online
 * slaves that the program selects to report on this very change (its attempt).
 * <p>
 * Changes come one at a time (the {@code changes} lock).
 */
public final class ProgramManager {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final ProgramStore store;
    private final Manifests manifests;
    private final Rollouts rollouts;
    private final MasterFramework framework;
    private final Convergence convergence;
    private final NodeRegistry registry;
    private final ArchiveLimits limits;
    private final Path deployDir;
    private final Object changes = new Object();
    private volatile Consumer<String> uninstalled = name -> { };

    ProgramManager(ProgramStore store, Manifests manifests, Rollouts rollouts, MasterFramework framework,
            Convergence convergence, NodeRegistry registry, ArchiveLimits limits, Path deployDir) {
        this.store = store;
        this.manifests = manifests;
        this.rollouts = rollouts;
        this.framework = framework;
        this.convergence = convergence;
        this.registry = registry;
        this.limits = limits;
        this.deployDir = deployDir;
    }

    /**
     * Brings the master's Felix to the stored desired state, before any slave is heard: programs
     * whose deploy-folder file vanished while the master was down are uninstalled first, so they
     * never run again. Admin commands are served meanwhile: one that stages a bundle waits, so
     * that the garbage collected here is never a bundle being staged, nor its manifest.
     */
    void start() throws IOException {
        synchronized (changes) {
            framework.open();
            framework.retain(store.programs().stream().map(ProgramStore.Program::name).collect(
                    java.util.stream.Collectors.toSet()));
            for (ProgramStore.Program p : store.programs()) {
                manifests.load(p.sha256());
                if (p.source().startsWith("deploy:") && deployDir != null
                        && !Files.exists(deployDir.resolve(p.source().substring("deploy:".length())))) {
                    LOG.info("program " + p.name() + ": " + p.source().substring("deploy:".length())
                            + " left the deploy folder while the master was down; uninstalling it");
                    store.remove(p.name());
                    uninstalled.accept(p.name());
                    continue;
                }
                try {
                    framework.install(p);
                    framework.apply(p);
                } catch (BundleException | IOException e) {
                    framework.failed(p.name(), ErrorLine.of(e));
                    LOG.warning("program " + p.name() + " cannot be installed on the master: " + ErrorLine.of(e));
                }
            }
            collectGarbage();
        }
    }

    ProgramView install(Path file, boolean start, List<String> grants, String source, Duration timeout)
            throws ProgramException {
        return change(file, timeout, (zip, archive, deadline) -> {
            JamManifest m = archive.manifest();
            Optional<ProgramStore.Program> existing = store.get(m.name());
            if (existing.isPresent()) {
                throw new ProgramException("program " + m.name() + " is already installed (version "
                        + existing.get().version() + "); use sdm:update to replace it");
            }
            checkGrants(m, grants);
            ProgramStore.Program p = stage(archive, zip, m, start ? ProgramState.ACTIVE : ProgramState.INSTALLED,
                    grants, source, nextAttempt());
            try {
                framework.install(p);
            } catch (BundleException | IOException e) {
                collectGarbage();
                throw new ProgramException(m.name() + " cannot be installed on the master: " + ErrorLine.of(e));
            }
            record(p);
            framework.apply(p);
            LOG.info("installed program " + p.name() + " " + p.version() + (start ? ", started" : ""));
            convergence.pushAll();
        });
    }

    /**
     * Replaces a program with the archive's version, keeping its desired state. The master goes
     * first, then the online selected slaves one at a time: each is sent the new version and
     * waited for (within the command's timeout) before the next, so a program never goes down on
     * every node at once. Offline slaves get the new version when they return.
     */
    ProgramView update(Path file, List<String> extraGrants, String source, Duration timeout) throws ProgramException {
        return change(file, timeout, (zip, archive, deadline) -> {
            JamManifest m = archive.manifest();
            ProgramStore.Program old = store.get(m.name()).orElseThrow(() -> new ProgramException(
                    "no program " + m.name() + " is installed; use sdm:install"));
            List<String> grants = new ArrayList<>(old.grants());
            extraGrants.stream().filter(g -> !grants.contains(g)).forEach(grants::add);
            checkGrants(m, grants);
            ProgramStore.Program p = stage(archive, zip, m, old.state(), grants,
                    source == null ? old.source() : source, nextAttempt());
            boolean same = p.sha256().equals(old.sha256()) && p.grants().equals(old.grants())
                    && p.source().equals(old.source());
            if (!same) {
                roll(old, p, m, deadline);
            }
        });
    }

    /** What install and update do with a checked archive, under the lock of changes. */
    @FunctionalInterface
    private interface ArchiveChange {
        void apply(Path privateCopy, JamArchive archive, long deadline) throws ProgramException;
    }

    /**
     * Checks a private copy of {@code file} and applies {@code change} to it under the lock of
     * changes; then waits, within {@code timeout}, for the nodes to report the program.
     */
    private ProgramView change(Path file, Duration timeout, ArchiveChange change) throws ProgramException {
        long deadline = deadline(timeout);
        String name;
        synchronized (changes) {
            try (PrivateCopy zip = PrivateCopy.of(file, store.incoming(), limits.maxArchiveBytes())) {
                JamArchive archive = read(zip.path(), file);
                name = archive.manifest().name();
                change.apply(zip.path(), archive, deadline);
            }
        }
        return await(name, deadline);
    }

    private void roll(ProgramStore.Program old, ProgramStore.Program p, JamManifest m, long deadline)
            throws ProgramException {
        try {
            framework.install(p);
        } catch (BundleException | IOException e) {
            collectGarbage();
            throw new ProgramException(p.name() + " cannot be updated on the master: " + ErrorLine.of(e));
        }
        Rollouts.Rollout rollout = rollouts.begin(old);
        try {
            record(p);
            framework.forgetFailure(p.name());
            framework.apply(p);
            LOG.info("updating program " + p.name() + " " + old.version() + " -> " + p.version());
            for (NodeInfo n : registry.snapshot()) {
                if (n.online() && Placement.selects(m, n)) {
                    rollout.updated().add(n.id());
                    convergence.push(n);
                    convergence.waitUntil(() -> convergence.nodeSettled(p.name(), n.id()), deadline);
                }
            }
        } finally {
            rollouts.end(p.name());
            convergence.pushAll();
            collectGarbage();
        }
    }

    /** Starts or stops a program everywhere; a new attempt, so nodes where it failed try again. */
    ProgramView setState(String name, ProgramState state, Duration timeout) throws ProgramException {
        long deadline = deadline(timeout);
        synchronized (changes) {
            ProgramStore.Program p = program(name).withState(state, nextAttempt());
            record(p);
            framework.forgetFailure(name);
            framework.apply(p);
            LOG.info("program " + name + " desired " + state);
            convergence.pushAll();
        }
        return await(name, deadline);
    }

    boolean isInstalled(String name) {
        return store.get(name).isPresent();
    }

    /** The program's master part (its JavaScript) failed after it started. */
    void masterFailed(String name, String reason) {
        if (store.get(name).isPresent()) {
            framework.failed(name, reason);
        }
    }

    /**
     * After {@link #masterFailed}, off the runtime's threads: stops the program's bundle on the
     * master (transiently), so that the operator's next {@code sdm:start} runs it afresh.
     */
    void stopFailedLocal(String name) {
        synchronized (changes) {
            framework.stopFailed(name);
        }
    }

    /** Called with a program's name once it is uninstalled, to delete what else the master keeps for it. */
    void onUninstalled(Consumer<String> listener) {
        uninstalled = listener;
    }

    /** Uninstalls everywhere; returns each node's last state (the view's nodes are those that still had it). */
    ProgramView uninstall(String name, Duration timeout) throws ProgramException {
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
            framework.uninstall(name);
            uninstalled.accept(name);
            LOG.info("uninstalled program " + name);
            convergence.pushAll();
        }
        convergence.awaitRemoved(name, deadline);
        synchronized (changes) {
            collectGarbage();
        }
        return new ProgramView(p, m, new NodeState("master", "master", ProgramState.REMOVED, ""),
                convergence.removal(name, m, timeout));
    }

    /**
     * The deploy folder's install-or-update, started: nothing happens if the program already has
     * these bytes. A file that now holds another program replaces the one it held.
     */
    ProgramView deploy(Path file, Duration timeout) throws ProgramException {
        String source = "deploy:" + file.getFileName();
        String name;
        try (PrivateCopy zip = PrivateCopy.of(file, store.incoming(), limits.maxArchiveBytes())) {
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
    Optional<ProgramView> undeploy(String fileName, Duration timeout) throws ProgramException {
        Optional<ProgramStore.Program> p = store.programs().stream()
                .filter(x -> x.source().equals("deploy:" + fileName)).findFirst();
        return p.isPresent() ? Optional.of(uninstall(p.get().name(), timeout)) : Optional.empty();
    }

    List<ProgramView> apps() {
        return store.programs().stream().map(this::view).toList();
    }

    ProgramView app(String name) throws ProgramException {
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

    /** Reads the private copy; errors name the file the operator gave. */
    private JamArchive read(Path copy, Path original) throws ProgramException {
        try {
            return JamArchive.read(copy, limits, store.incoming());
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

    private ProgramStore.Program stage(JamArchive archive, Path zip, JamManifest m, ProgramState state,
            List<String> grants, String source, long attempt) throws ProgramException {
        try {
            ProgramStore.Staged s = store.stage(archive, zip);
            manifests.put(s.sha256(), m);
            return new ProgramStore.Program(m.name(), m.version(), s.sha256(), s.size(), state, grants, source,
                    attempt);
        } catch (IOException | RuntimeException e) {
            throw new ProgramException("cannot store the bundle of " + m.name() + ": " + ErrorLine.of(e));
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
        Set<String> keep = new HashSet<>(rollouts.oldBundles());
        try {
            store.collectGarbage(keep);
        } catch (IOException e) {
            LOG.warning("cannot delete unused bundles: " + e.getMessage());
        }
        store.programs().forEach(p -> keep.add(p.sha256()));
        manifests.retainAll(keep);
    }

    private ProgramView view(ProgramStore.Program p) {
        JamManifest m = manifests.get(p.sha256());
        return new ProgramView(p, m, framework.state(p), convergence.nodes(p, m));
    }

    /** Waits until every online selected node has answered the program's current attempt, or the deadline. */
    private ProgramView await(String name, long deadline) throws ProgramException {
        convergence.awaitSettled(name, deadline);
        return view(program(name));
    }
}
