package sdm.master.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import sdm.api.MachineInfo;
import sdm.api.MasterInfo;
import sdm.api.NodeFailure;
import sdm.api.NodeInfo;
import sdm.api.Platform;
import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;
import sdm.api.replication.NotLeaderException;
import sdm.api.replication.ReplicatedLog;
import sdm.api.replication.ReplicatedState;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The master: owns its keys, its endpoint ({@link Reception}) and the registry of slaves, starts
 * and ends its terms of work, and publishes what it knows as the {@link MachineInfo} service. The other
 * components of this bundle reach the master's parts through it: {@link ProgramCallsService},
 * {@link ProgramHostService}, the shell commands and the deploy folder.
 *
 * <p>SCR registers the component's services before it activates it, and a caller of
 * {@code getService} waits for the activation to end, so nobody sees a master half started. A
 * master that cannot start (its port is taken) reports one line to its launcher, which stops
 * the node; its parts then refuse with {@link IllegalStateException}.
 *
 * <p>A master started with {@code sdm.master.replicas} is one of a machine's replicated masters:
 * its state comes only through the masters' log ({@link MachineState}), and it works (a {@link
 * LeaderTerm}) only while it leads ({@link Leadership}); while it follows, its parts refuse naming
 * the leader.
 */
@Component(immediate = true, service = {MachineInfo.class, MasterNode.class}, configurationPid = MasterNode.PID)
public final class MasterNode implements MachineInfo {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    /** Set by the shell itself: it needs this node's commands, so a reference here would be a cycle. */
    private volatile AdminShell shell;

    private final long startedMs = System.currentTimeMillis();
    private BundleContext context;
    private MasterSettings settings;
    private DataFolder data;
    private String id;
    private String version;
    private NodeRegistry registry;
    private ScheduledExecutorService sweeper;
    private ProgramLogs logs;
    private volatile long heartbeatMs;
    private volatile long livenessMs;
    private MachineListeners listeners;
    private final NodeCounterBook nodeCounters = new NodeCounterBook();
    private ProgramStore store;
    private Enrollments enrollments;
    private MachineState state;
    private PrivateFiles privateFiles;
    private MasterParts parts;
    private Uploads uploads;
    private ExecutorService uploadWriter;
    private volatile String failure;
    /** A single master's one term of work; null once stopped. */
    private volatile LeaderTerm single;
    /** A replicated master's terms of work, while it leads; set on a replicated master only. */
    private volatile Leadership leadership;
    private ServiceRegistration<ReplicatedState> stateRegistration;
    private Reception reception;
    private List<String> replicaAddresses = List.of();

    /** ConfigAdmin configuration of the master: {@code sdm.heartbeat.ms}, {@code sdm.liveness.ms} (e.g. {@code deploy/sdm.master.cfg}). */
    static final String PID = "sdm.master";

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        version = FrameworkUtil.getBundle(getClass()).getVersion().toString();
        String replicas = context.getProperty(NodeProperties.MASTER_REPLICAS);
        try {
            settings = MasterSettings.from(context);
            data = new DataFolder(settings.data());
            id = data.nodeId();
            heartbeatMs = settings.heartbeatMs();
            livenessMs = settings.livenessMs();
            applyTiming(config, false);
            registry = new NodeRegistry(livenessMs);
            logs = new ProgramLogs(settings.data().resolve(NodeFiles.LOG_FOLDER));
            listeners = new MachineListeners(context, registry);
            registry.onTransition(t -> {
                logs.machine(t.line());
                listeners.transition(t.nodeId(), t.online());
            });
            store = ProgramStore.open(settings.data().resolve("programs"));
            privateFiles = new PrivateFiles(privateRoot());
            uploads = new Uploads(settings.data().resolve("uploads"), settings.limits().maxArchiveBytes());
            uploadWriter = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("sdm-uploads").daemon().factory());
            if (replicas == null || replicas.isBlank()) {
                MasterKeys keys = MasterKeys.loadOrCreate(data);
                enrollments = Enrollments.open(data, keys.admin().publicKey(), keys.joinToken().slaveKeys().publicKey());
                parts = parts();
                reception = new Reception(settings, parts, context);
                reception.starting();
                single = new LeaderTerm(parts, context, settings, keys,
                        t -> data.write(NodeFiles.JOIN_TOKEN, t.text(), true), reception.open(keys),
                        reception::leadsNow, this::welcome);
                single.start(); // as a master always did: its Felix at the desired state before any slave is heard
                reception.serve(single);
                reception.announce();
                announce(keys);
            } else {
                ReplicatedJournal journal = new ReplicatedJournal();
                enrollments = Enrollments.replicated(data, journal);
                state = new MachineState(store, enrollments, data, privateFiles);
                store.journal(journal);
                privateFiles.journal(journal);
                state.clear(); // the log and its snapshot give it all again
                replicaAddresses = java.util.Arrays.stream(replicas.split(",")).map(String::strip).toList();
                parts = parts();
                reception = new Reception(settings, parts, context);
                leadership = new Leadership(id, data, parts, context, settings, reception, state, journal,
                        () -> failure != null, this::announce, this::welcome);
                stateRegistration = context.registerService(ReplicatedState.class, state, null);
                LOG.info("master " + id + " is one of the masters " + replicas + "; it serves while it leads");
            }
        } catch (TransportException | IOException | IllegalArgumentException e) {
            stop();
            failure = "cannot start the master: " + e.getMessage();
            NodeFailure.report(context, failure);
            return;
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-liveness").daemon().factory());
        long period = 20; // liveness may change at run time: sweep often enough for the shortest
        sweeper.scheduleAtFixedRate(() -> registry.sweep(System.currentTimeMillis()), period, period,
                TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(() -> uploads.sweep(System.currentTimeMillis()), 1, 1, TimeUnit.SECONDS);
    }

    private MasterParts parts() {
        return new MasterParts(id, data, store, enrollments, registry, nodeCounters, logs, uploads, uploadWriter,
                () -> shell, () -> heartbeatMs, () -> livenessMs, privateRoot());
    }

    private void announce(MasterKeys keys) {
        if (keys.created()) {
            // shown once on the console, never logged: log files are not secret
            System.out.println("sdm: first start; slaves join this master with --token "
                    + keys.joinToken().text() + " (kept in " + settings.data().resolve(NodeFiles.JOIN_TOKEN) + ")");
        }
        LOG.info("master " + id + " listening on " + address() + ", data in " + settings.data());
    }

    /** A replicated master's log, once the replication bundle started it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindLog(ReplicatedLog log) {
        Leadership l = leadership;
        if (l != null) {
            l.bind(log);
        }
    }

    void unbindLog(ReplicatedLog log) {
        Leadership l = leadership;
        if (l != null) {
            l.unbind(log);
        }
    }

    /** What a slave is told when it registers: the timing, and of replicated masters their list and the term. */
    private Message.Welcome welcome() {
        Leadership l = leadership;
        return new Message.Welcome(id, heartbeatMs, livenessMs, replicaAddresses, l == null ? 0 : l.leaderTerm());
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    void attach(AdminShell s) {
        shell = s;
    }

    void detach(AdminShell s) {
        if (shell == s) {
            shell = null;
        }
    }

    ProgramManager programs() {
        return working().programs;
    }

    ProgramLogs logs() {
        return running(logs);
    }

    NativeCalls calls() {
        return working().calls;
    }

    TreeRequests trees() {
        return working().trees;
    }

    /** Who slaves' connections speak for: enrollment, revocation, the join token. */
    SlaveGate gate() {
        return working().gate;
    }

    /** Where programs keep their private data ({@code sdm.store}): one folder each, deleted with the program. */
    Path privateRoot() {
        return settings.data().resolve("programs").resolve("private");
    }

    PrivateFiles privateFiles() {
        return running(privateFiles);
    }

    /** The deploy folder, from which programs may install archives, or null. */
    Path deployDir() {
        return settings.deployDir();
    }

    private <T> T running(T part) {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return part;
    }

    /** The term at work, or a refusal that names the leader. */
    private LeaderTerm working() {
        LeaderTerm t = running(term());
        if (t == null) {
            String leader = leadership == null ? "" : leadership.leaderAddress();
            throw new IllegalStateException(new NotLeaderException(leader.isEmpty() ? null : leader).getMessage());
        }
        return t;
    }

    private LeaderTerm term() {
        Leadership l = leadership;
        return l == null ? single : l.term();
    }

    private void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (stateRegistration != null) {
            stateRegistration.unregister(); // stops the replicated log first: nothing is applied after
            stateRegistration = null;
        }
        if (leadership != null) {
            leadership.close();
        } else if (single != null) {
            single.close();
            single = null;
        }
        if (reception != null) {
            reception.close();
        }
        if (uploadWriter != null) {
            uploadWriter.shutdownNow();
        }
        if (listeners != null) {
            listeners.close();
        }
    }

    /** ConfigAdmin changed the master's configuration: new timing applies now, to the slaves too. */
    @Modified
    void modified(Map<String, Object> config) {
        if (registry != null) {
            applyTiming(config, true);
        }
    }

    /**
     * Takes {@code sdm.heartbeat.ms} and {@code sdm.liveness.ms} from a ConfigAdmin
     * configuration (over the framework properties); a bad pair changes nothing. Running, the
     * slaves are sent a new welcome carrying the new timing.
     */
    private void applyTiming(Map<String, Object> config, boolean running) {
        Timing requested = Timing.requested(PID, config, new Timing(heartbeatMs, livenessMs)).orElse(null);
        if (requested == null) {
            return;
        }
        long heartbeat = requested.heartbeatMs();
        long liveness = requested.livenessMs();
        heartbeatMs = heartbeat;
        livenessMs = liveness;
        if (running) {
            registry.liveness(liveness);
            MasterEndpoint e = endpoint();
            if (e != null) {
                e.heartbeat(heartbeat);
                for (NodeInfo n : registry.snapshot()) {
                    String routingId = registry.routingIdOf(n.id());
                    if (routingId != null) {
                        e.send(routingId, welcome());
                    }
                }
            }
        }
        LOG.info("heartbeat every " + heartbeat + " ms, liveness " + liveness + " ms");
    }

    private MasterEndpoint endpoint() {
        Reception r = reception;
        return r == null ? null : r.endpoint();
    }

    private String address() {
        MasterEndpoint e = endpoint();
        return settings.host() + ":" + (e == null ? settings.port() : e.port());
    }

    @Override
    public NodeInfo self() {
        return new NodeInfo(id, "master", NodeInfo.Role.MASTER, address(), Platform.os(), Platform.arch(), Map.of(),
                version, true, System.currentTimeMillis(), startedMs, 0);
    }

    @Override
    public MasterInfo master() {
        LeaderTerm t = term();
        MasterEndpoint e = endpoint();
        Map<String, Long> counters = new java.util.TreeMap<>(e == null ? Map.of() : e.counters().snapshot());
        List<NodeInfo> nodes = registry.snapshot();
        nodeCounters.addTo(counters, nodes);
        if (t != null) {
            t.exports.addTo(counters, nodes);
        }
        Leadership l = leadership;
        return new MasterInfo(id, address(), ReplicaView.of(l == null ? null : l.log(), replicaAddresses),
                System.currentTimeMillis() - startedMs, version, true,
                counters, heartbeatMs, livenessMs);
    }

    @Override
    public List<NodeInfo> nodes() {
        return registry.snapshot();
    }
}
