package sdm.slave.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import sdm.api.MachineInfo;
import sdm.api.MasterInfo;
import sdm.api.NodeFailure;
import sdm.api.NodeInfo;
import sdm.api.Platform;
import sdm.api.node.DataFolder;
import sdm.api.node.MonotonicClock;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.SlaveLink;
import sdm.transport.zmq.SlaveLinkListener;
import sdm.transport.zmq.TransportCounters;

/**
 * The slave agent: joins its master over a {@link SlaveLink} and keeps the link alive. Its
 * {@link MachineInfo} view is local: itself, and the master as far as the link knows it.
 * SCR registers it before it activates it, and a caller of {@code getService} waits for the
 * activation to end. A slave whose settings are not valid (a bad token) reports one line to
 * its launcher, which stops the node.
 */
@Component(immediate = true, service = MachineInfo.class)
public final class SlaveAgent implements MachineInfo, SlaveLinkListener {

    private static final Logger LOG = Logger.getLogger("sdm.slave");

    private final long startedMs = System.currentTimeMillis();
    private String version;
    private SlaveSettings settings;
    private volatile SlaveLink link;
    private ProgramAgent programs;
    /** The call threads, the link's among them: each with a crash-mark slot of its own. */
    private final CallThreads callThreads = new CallThreads();
    private volatile String masterId = "";
    private volatile long onlineSinceMs;
    private volatile long offlineSinceMs;
    private EventQueue events;
    private JsBridge js;
    private volatile ScheduledExecutorService reporter;
    private static final long EVENT_DRAIN_MS = 100;
    private static final long COUNTERS_MS = 2_000;

    @Activate
    void activate(BundleContext context) {
        version = FrameworkUtil.getBundle(getClass()).getVersion().toString();
        try {
            settings = SlaveSettings.from(context);
        } catch (IOException | IllegalArgumentException e) {
            NodeFailure.report(context, "cannot start the slave: " + e.getMessage());
            return;
        }
        try {
            long epoch = System.currentTimeMillis();
            events = new EventQueue(settings.eventQueue(), settings.eventTtlMs(), epoch);
            Consumer<Message> toMaster = m -> {
                SlaveLink l = link;
                if (l != null) {
                    l.send(m);
                }
            };
            js = new JsBridge(epoch, toMaster);
            programs = new ProgramAgent(context, settings.data().resolve("programs"), callThreads, toMaster, events, js);
        } catch (IOException e) {
            NodeFailure.report(context, "cannot start the slave: " + e.getMessage());
            return;
        }
        programs.start();
        LOG.info("joining master " + settings.master() + " as " + settings.name() + " (" + settings.nodeId() + ")");
        link = new SlaveLink(new SlaveLink.Config(masters(), settings.token(), settings.ownKeys(),
                settings.enrolled(), this::registration,
                Duration.ofMillis(settings.heartbeatMs()), Duration.ofMillis(settings.livenessMs()),
                Duration.ofSeconds(1), Duration.ofMillis(Math.max(1_000, settings.reconnectMaxMs())),
                callThreads.named("link")), this);
        reporter = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-events").daemon().factory());
        reporter.scheduleWithFixedDelay(this::deliverEvents, EVENT_DRAIN_MS, EVENT_DRAIN_MS, TimeUnit.MILLISECONDS);
        reporter.scheduleWithFixedDelay(this::sendCounters, COUNTERS_MS, COUNTERS_MS, TimeUnit.MILLISECONDS);
    }

    /** While the master is there, events go to it; while it is away they wait (bounded, expiring). */
    private void deliverEvents() {
        SlaveLink l = link;
        if (l != null && l.connected()) {
            events.drain(MonotonicClock.nowMs(), l::send);
        }
    }

    private void sendCounters() {
        SlaveLink l = link;
        if (l != null && l.connected()) {
            Map<String, Long> all = new java.util.TreeMap<>(events.counters());
            for (String name : List.of(TransportCounters.DROPPED_EXPIRED, TransportCounters.CALLS_INLINE,
                    TransportCounters.CALLS_POOLED, TransportCounters.LINK_TAKEOVERS)) {
                all.put(name, l.counters().get(name));
            }
            all.putAll(js.counters(Message.NodeCounters.MAX_COUNTERS - all.size()));
            l.send(new Message.NodeCounters(all));
        }
    }

    @Deactivate
    void deactivate() {
        if (reporter != null) {
            reporter.shutdownNow();
        }
        if (link != null) {
            link.close();
        }
        if (programs != null) {
            programs.close();
        }
        if (js != null) {
            js.close();
        }
    }

    /**
     * The masters to dial: those the last leader's welcome named (kept in {@code DATA/masters}),
     * else those given at start.
     */
    private List<String> masters() {
        try {
            java.util.Optional<String> kept = new DataFolder(settings.data()).read(SlaveSettings.MASTERS);
            if (kept.isPresent() && !kept.get().isBlank()) {
                keptMasters = kept.get().strip();
                return List.of(keptMasters.split(","));
            }
        } catch (IOException e) {
            LOG.warning("cannot read " + SlaveSettings.MASTERS + "; dialing " + settings.master() + ": " + e.getMessage());
        }
        return java.util.Arrays.stream(settings.master().split(",")).map(String::strip).toList();
    }

    /** The last masters' list written to {@code DATA/masters}; the link thread's once started. */
    private volatile String keptMasters;

    private Message.Register registration() {
        return new Message.Register(settings.nodeId(), settings.name(), settings.labels(), Platform.os(),
                Platform.arch(), version);
    }

    @Override
    public void onConnected(Message.Welcome welcome) {
        masterId = welcome.masterId();
        String list = String.join(",", welcome.masters());
        if (!welcome.masters().isEmpty() && !list.equals(keptMasters)) {
            try {
                new DataFolder(settings.data()).write(SlaveSettings.MASTERS, list, false);
                keptMasters = list;
            } catch (IOException e) {
                LOG.warning("cannot keep the masters' addresses in " + SlaveSettings.MASTERS + ": " + e.getMessage());
            }
        }
        onlineSinceMs = System.currentTimeMillis();
        programs.onConnected();
        events.resendUnacknowledged(MonotonicClock.nowMs());
        js.onConnected();
        ScheduledExecutorService r = reporter;
        if (r != null) {
            try {
                r.execute(() -> {
                    deliverEvents();
                    sendCounters();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    @Override
    public void onEnrolled(String nodeId) {
        try {
            new DataFolder(settings.data()).write(SlaveSettings.ENROLLED, settings.token().masterPublicKey(), false);
        } catch (IOException e) {
            // the link goes on with its own key; the next start enrolls it again, which the master allows
            LOG.warning("cannot note the enrollment in " + settings.data() + ": " + e.getMessage());
        }
    }

    @Override
    public void onDisconnected(String reason) {
        offlineSinceMs = System.currentTimeMillis();
        programs.onDisconnected();
        js.onDisconnected();
    }

    @Override
    public Message.CallResult callInline(Message.Call call) {
        ProgramAgent p = programs;
        return p == null ? null : p.calls().callInline(call);
    }

    @Override
    public void onMessage(Message message) {
        switch (message) {
            case Message.Desired d -> programs.onDesired(d);
            case Message.Chunk c -> programs.onChunk(c);
            case Message.Call c -> programs.calls().onCall(c);
            case Message.EventAck a -> events.acknowledge(a.epoch(), a.upTo());
            case Message.ExportResult r -> js.onResult(r);
            case Message.PostAck a -> js.onPostAck(a);
            default -> LOG.fine("ignored " + message.getClass().getSimpleName() + " from the master");
        }
    }

    @Override
    public NodeInfo self() {
        return new NodeInfo(settings.nodeId(), settings.name(), NodeInfo.Role.SLAVE, "", Platform.os(),
                Platform.arch(), settings.labels(), version, link.connected(), System.currentTimeMillis(),
                onlineSinceMs, offlineSinceMs);
    }

    @Override
    public MasterInfo master() {
        return new MasterInfo(masterId, settings.master(), List.of(), 0, "", link.connected(),
                link.counters().snapshot(), settings.heartbeatMs(), settings.livenessMs());
    }

    @Override
    public List<NodeInfo> nodes() {
        return List.of(self());
    }
}
