package sdm.master.internal;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;

import sdm.api.node.DataFolder;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.StackMessages;

/**
 * The master at work: what comes in at its endpoint, the programs in its Felix and on the
 * slaves, calls and uploads. A single master works from its start to its stop; of replicated masters only the
 * leader does, from its election to the moment it stops leading, and a new term starts afresh
 * from the state the masters agreed on.
 */
final class LeaderTerm implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final MasterParts master;
    final ProgramManager programs;
    final MasterFramework framework;
    final Convergence convergence;
    final BundleServer bundles;
    final SlaveEvents events;
    final SlaveGate gate;
    final MasterEndpoint endpoint;
    final NativeCalls calls;
    final ExportCalls exports;
    final TreeRequests trees;
    private final ScheduledExecutorService sweeper;
    private final Supplier<Message.Welcome> welcome;

    /**
     * The term's parts, ready for the endpoint's messages: slaves register again and are sent
     * their desired state, while {@link #start} brings the master's own Felix to it.
     */
    LeaderTerm(MasterParts master, BundleContext context, MasterSettings settings, MasterKeys keys,
            SlaveGate.TokenKeeper tokens, MasterEndpoint endpoint, java.util.function.BooleanSupplier leads,
            Supplier<Message.Welcome> welcome) {
        this.master = master;
        this.endpoint = endpoint;
        this.welcome = welcome;
        ProgramStore store = master.store();
        NodeRegistry registry = master.registry();
        Manifests manifests = new Manifests(store);
        Rollouts rollouts = new Rollouts();
        framework = new MasterFramework(context, store);
        convergence = new Convergence(store, registry, manifests, rollouts);
        bundles = new BundleServer(store, rollouts);
        programs = new ProgramManager(store, manifests, rollouts, framework, convergence, registry,
                settings.limits(), settings.deployDir());
        CallPlanner planner = new CallPlanner(store, manifests, registry, convergence);
        events = new SlaveEvents(registry, master.logs(), programs::isInstalled);
        programs.onUninstalled(name -> {
            try {
                DataFolder.deleteTree(master.privateRoot().resolve(name));
            } catch (IOException e) {
                LOG.warning("cannot delete the private data of " + name + ": " + e.getMessage());
            }
        });
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-programs").daemon().factory());
        gate = new SlaveGate(master.enrollments(), registry, tokens, keys.joinToken(), () -> endpoint,
                settings.enrollmentsPerSecond(), settings.registrationsPerSecond());
        // nothing goes out while the lease is lapsed: a leader that may have been replaced commands no one
        Wire wire = (routingId, m) -> {
            if (leads.getAsBoolean()) {
                endpoint.send(routingId, m);
            }
        };
        convergence.connect(wire);
        bundles.connect((routingId, m, handedOver) -> {
            if (leads.getAsBoolean()) {
                endpoint.send(routingId, m, handedOver);
            } else {
                handedOver.run();
            }
        }, endpoint.counters());
        calls = new NativeCalls(planner, wire);
        exports = new ExportCalls(store, manifests, framework::runtime, wire);
        trees = new TreeRequests(registry, wire);
        registry.onSessionEnded(calls::sessionEnded);
        // one acknowledgement per node and 50 ms, however many events came in
        sweeper.scheduleAtFixedRate(() -> events.acknowledge(wire), 50, 50, TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(() -> {
            // a throw would cancel the task for good
            try {
                long now = System.currentTimeMillis();
                convergence.sweep(now);
                registry.forget(now, settings.forgetOfflineMs(), master.nodeCounters()::forget, convergence::forget,
                        events::forget, exports::forget);
            } catch (RuntimeException x) {
                LOG.log(Level.WARNING, "program sweep failed", x);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Brings the master's Felix to the stored desired state (its programs' JavaScript starts).
     *
     * @throws IOException if the state cannot be applied; the term is closed then
     */
    void start() throws IOException {
        try {
            programs.start();
        } catch (IOException | RuntimeException failure) {
            close();
            throw failure;
        }
    }

    /**
     * On the endpoint's thread: must not block. Registrations, admin requests and uploads come
     * from any connection; everything else only from a registered node's, and counts as a sign
     * of its life.
     */
    void onMessage(MasterEndpoint.Peer from, Message message, MasterEndpoint e) {
        NodeRegistry registry = master.registry();
        switch (message) {
            case Message.Enroll enroll -> gate.enroll(from, enroll, e);
            case Message.Register r -> {
                if (!gate.mayRegister(from, r.nodeId(), e)) {
                    return;
                }
                registry.register(from.routingId(), from.address(), r, System.currentTimeMillis());
                e.send(from.routingId(), welcome.get());
                convergence.nodeRegistered(r.nodeId());
            }
            case Message.AdminRequest request -> {
                AdminShell s = master.shell().get();
                if (s == null) {
                    e.send(from.routingId(), new Message.AdminReply(request.requestId(), false, "",
                            "this master's shell is not ready (it is starting, or has no shell)"));
                } else {
                    s.submit(request, master.uploads(), reply -> e.send(from.routingId(), reply));
                }
            }
            case Message.Upload chunk -> master.uploadWriter().execute(
                    () -> e.send(from.routingId(), master.uploads().accept(chunk, System.currentTimeMillis())));
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
            case Message.NodeCounters c -> master.nodeCounters().reported(nodeId, c.counters());
            case StackMessages.MachineCounts c -> master.registry().counts(nodeId, c);
            case StackMessages.TreeReply r -> trees.onReply(nodeId, r);
            case Message.Fetch fetch -> bundles.onFetch(from.routingId(), fetch);
            case Message.ExportCall call -> exports.onCall(nodeId, from, call);
            case Message.Posts posts -> exports.onPosts(nodeId, from, posts);
            default -> { } // a heartbeat: the touch was all of it
        }
    }

    /** Ends the term (the master stops sending its messages here first), then the programs on the master. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        for (AutoCloseable part : new AutoCloseable[] {convergence, bundles, calls, gate, framework}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                LOG.warning("stopping " + part.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }
}
