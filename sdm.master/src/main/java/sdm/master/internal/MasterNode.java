package sdm.master.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

import sdm.api.MachineInfo;
import sdm.api.MasterInfo;
import sdm.api.NodeFailure;
import sdm.api.NodeInfo;
import sdm.api.Platform;
import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The master: owns its keys and its endpoint, keeps the registry of slaves, answers admin
 * clients, and publishes what it knows as the {@link MachineInfo} service. The other
 * components of this bundle reach the master's parts through it: {@link ProgramCallsService},
 * {@link ProgramHostService}, the shell commands and the deploy folder.
 *
 * <p>SCR registers the component's services before it activates it, and a caller of
 * {@code getService} waits for the activation to end, so nobody sees a master half started. A
 * master that cannot start (its port is taken) reports one line to its launcher, which stops
 * the node; its parts then refuse with {@link IllegalStateException}.
 */
@Component(immediate = true, service = {MachineInfo.class, MasterNode.class}, configurationPid = MasterNode.PID)
public final class MasterNode implements MachineInfo {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    /** Set by the shell itself: it needs this node's commands, so a reference here would be a cycle. */
    private volatile AdminShell shell;

    private final long startedMs = System.currentTimeMillis();
    private MasterSettings settings;
    private String id;
    private String version;
    private NodeRegistry registry;
    private volatile MasterEndpoint endpoint;
    private ScheduledExecutorService sweeper;
    private ProgramManager programs;
    private MasterFramework framework;
    private Convergence convergence;
    private BundleServer bundles;
    private ProgramLogs logs;
    private volatile long heartbeatMs;
    private volatile long livenessMs;
    private MachineListeners listeners;
    private volatile ExportCalls exports;
    private final NodeCounterBook nodeCounters = new NodeCounterBook();
    private SlaveEvents events;
    private volatile NativeCalls calls;
    private Uploads uploads;
    private ExecutorService uploadWriter;
    private volatile String failure;
    private volatile SlaveGate gate;

    /** ConfigAdmin configuration of the master: {@code sdm.heartbeat.ms}, {@code sdm.liveness.ms} (e.g. {@code deploy/sdm.master.cfg}). */
    static final String PID = "sdm.master";

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        version = FrameworkUtil.getBundle(getClass()).getVersion().toString();
        try {
            settings = MasterSettings.from(context);
            DataFolder data = new DataFolder(settings.data());
            id = data.nodeId();
            MasterKeys keys = MasterKeys.loadOrCreate(data);
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
            ProgramStore store = ProgramStore.open(settings.data().resolve("programs"));
            uploads = new Uploads(settings.data().resolve("uploads"), settings.limits().maxArchiveBytes());
            uploadWriter = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("sdm-uploads").daemon().factory());
            Manifests manifests = new Manifests(store);
            Rollouts rollouts = new Rollouts();
            framework = new MasterFramework(context, store);
            convergence = new Convergence(store, registry, manifests, rollouts);
            bundles = new BundleServer(store, rollouts);
            programs = new ProgramManager(store, manifests, rollouts, framework, convergence, registry,
                    settings.limits(), settings.deployDir());
            CallPlanner planner = new CallPlanner(store, manifests, registry, convergence);
            events = new SlaveEvents(registry, logs, programs::isInstalled);
            programs.onUninstalled(name -> {
                try {
                    DataFolder.deleteTree(privateRoot().resolve(name));
                } catch (IOException e) {
                    LOG.warning("cannot delete the private data of " + name + ": " + e.getMessage());
                }
            });
            programs.start();
            Enrollments enrollments = Enrollments.open(data, keys.admin().publicKey(), keys.joinToken().slaveKeys().publicKey());
            gate = new SlaveGate(enrollments, registry, data, keys.joinToken(), () -> endpoint,
                    settings.enrollmentsPerSecond(), settings.registrationsPerSecond());
            endpoint = MasterEndpoint.start(new MasterEndpoint.Config(settings.host(), settings.port(), keys.server(),
                    enrollments, Duration.ofMillis(heartbeatMs), settings.maxMessageBytes(), settings.peers()),
                    new MasterEndpoint.Listener() {
                        @Override
                        public void onMessage(MasterEndpoint.Peer from, Message message) {
                            MasterNode.this.onMessage(from, message);
                        }

                        @Override
                        public void onExpired(MasterEndpoint.Peer from, Message message) {
                            String nodeId = registry.nodeIdOf(from.routingId());
                            if (nodeId != null) {
                                nodeCounters.expired(nodeId);
                            }
                        }

                        @Override
                        public void onStopped(String reason) {
                            NodeFailure.report(context, reason);
                        }
                    });
            MasterEndpoint bound = endpoint;
            convergence.connect(bound::send);
            bundles.connect(bound::send, bound.counters());
            calls = new NativeCalls(planner, bound::send);
            exports = new ExportCalls(store, manifests, framework::runtime, bound::send);
            registry.onSessionEnded(calls::sessionEnded);
            String local = ("0.0.0.0".equals(settings.host()) ? "127.0.0.1" : settings.host()) + ":" + endpoint.port();
            data.write(NodeFiles.MASTER_ENDPOINT, local, false);
            if (keys.created()) {
                // shown once on the console, never logged: log files are not secret
                System.out.println("sdm: first start; slaves join this master with --token "
                        + keys.joinToken().text() + " (kept in " + settings.data().resolve(NodeFiles.JOIN_TOKEN) + ")");
            }
            LOG.info("master " + id + " listening on " + address() + ", data in " + settings.data());
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
        // one acknowledgement per node and 50 ms, however many events came in
        sweeper.scheduleAtFixedRate(() -> {
            MasterEndpoint e = endpoint;
            if (e != null) {
                events.acknowledge(e::send);
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(() -> {
            // a throw would cancel the task for good
            try {
                long now = System.currentTimeMillis();
                convergence.sweep(now);
                uploads.sweep(now);
                registry.forget(now, settings.forgetOfflineMs(), nodeCounters::forget, convergence::forget, events::forget,
                        exports::forget);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "program sweep failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
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
        return running(programs);
    }

    ProgramLogs logs() {
        return running(logs);
    }

    NativeCalls calls() {
        return running(calls);
    }

    /** Who slaves' connections speak for: enrollment, revocation, the join token. */
    SlaveGate gate() {
        return running(gate);
    }

    /** Where programs keep their private data ({@code sdm.store}): one folder each, deleted with the program. */
    Path privateRoot() {
        return settings.data().resolve("programs").resolve("private");
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

    private void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (uploadWriter != null) {
            uploadWriter.shutdownNow();
        }
        for (AutoCloseable part : new AutoCloseable[] {listeners, convergence, bundles, framework, calls, gate, endpoint}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                LOG.warning("stopping " + part.getClass().getSimpleName() + " failed: " + e);
            }
        }
        endpoint = null;
    }

    /**
     * On the endpoint's thread: must not block. Registrations, admin requests and uploads come
     * from any connection; everything else only from a registered node's, and counts as a sign
     * of its life.
     */
    private void onMessage(MasterEndpoint.Peer from, Message message) {
        MasterEndpoint e = endpoint;
        if (e == null) {
            return; // not yet (or no longer) started: a slave registers again on its next beat
        }
        switch (message) {
            case Message.Enroll enroll -> gate.enroll(from, enroll, e);
            case Message.Register r -> {
                if (!gate.mayRegister(from, r.nodeId(), e)) {
                    return;
                }
                registry.register(from.routingId(), from.address(), r, System.currentTimeMillis());
                e.send(from.routingId(), new Message.Welcome(id, heartbeatMs, livenessMs));
                convergence.nodeRegistered(r.nodeId());
            }
            case Message.AdminRequest request -> {
                AdminShell s = shell;
                if (s == null) {
                    e.send(from.routingId(), new Message.AdminReply(request.requestId(), false, "",
                            "this master's shell is not ready (it is starting, or has no shell)"));
                } else {
                    s.submit(request, uploads, reply -> e.send(from.routingId(), reply));
                }
            }
            case Message.Upload chunk -> uploadWriter.execute(
                    () -> e.send(from.routingId(), uploads.accept(chunk, System.currentTimeMillis())));
            default -> {
                if (!gate.admits(from, null, e)) {
                    return;
                }
                if (!registry.touch(from.routingId(), System.currentTimeMillis())) {
                    e.send(from.routingId(), new Message.Reregister());
                    return;
                }
                fromNode(registry.nodeIdOf(from.routingId()), from, message, e);
            }
        }
    }

    private void fromNode(String nodeId, MasterEndpoint.Peer from, Message message, MasterEndpoint e) {
        switch (message) {
            case Message.Report report -> convergence.onReport(nodeId, report);
            case Message.CallResult result -> calls.onResult(nodeId, result);
            case Message.Event event -> events.onEvent(nodeId, event, e.counters());
            case Message.NodeCounters c -> nodeCounters.reported(nodeId, c.counters());
            case Message.Fetch fetch -> bundles.onFetch(from.routingId(), fetch);
            case Message.ExportCall call -> exports.onCall(nodeId, from, call);
            case Message.Posts posts -> exports.onPosts(nodeId, from, posts);
            default -> { } // a heartbeat: the touch was all of it
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
            MasterEndpoint e = endpoint;
            if (e != null) {
                e.heartbeat(heartbeat);
                for (NodeInfo n : registry.snapshot()) {
                    String routingId = registry.routingIdOf(n.id());
                    if (routingId != null) {
                        e.send(routingId, new Message.Welcome(id, heartbeat, liveness));
                    }
                }
            }
        }
        LOG.info("heartbeat every " + heartbeat + " ms, liveness " + liveness + " ms");
    }

    private String address() {
        MasterEndpoint e = endpoint;
        return settings.host() + ":" + (e == null ? settings.port() : e.port());
    }

    @Override
    public NodeInfo self() {
        return new NodeInfo(id, "master", NodeInfo.Role.MASTER, address(), Platform.os(), Platform.arch(), Map.of(),
                version, true, System.currentTimeMillis(), startedMs, 0);
    }

    @Override
    public MasterInfo master() {
        MasterEndpoint e = endpoint;
        Map<String, Long> counters = new java.util.TreeMap<>(e == null ? Map.of() : e.counters().snapshot());
        List<NodeInfo> nodes = registry.snapshot();
        nodeCounters.addTo(counters, nodes);
        ExportCalls x = exports;
        if (x != null) {
            x.addTo(counters, nodes);
        }
        return new MasterInfo(id, address(), List.of(), System.currentTimeMillis() - startedMs, version, true,
                counters, heartbeatMs, livenessMs);
    }

    @Override
    public List<NodeInfo> nodes() {
        return registry.snapshot();
    }
}
