package sdm.stack.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import sdm.api.MachineInfo;
import sdm.api.MachineTree;
import sdm.api.MasterInfo;
import sdm.api.NodeFailure;
import sdm.api.NodeInfo;
import sdm.api.NodeTree;
import sdm.api.Platform;
import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.SlaveLink;
import sdm.transport.zmq.SlaveLinkListener;
import sdm.transport.zmq.StackMessages;

/**
 * A child machine's link to its parent: the child's master joins the parent as one node of kind
 * machine, over the link a slave uses (enrolled with the parent's join token, then its own key),
 * and tells the parent how many slaves it has and how many are online, whenever that changes.
 * It gives the parent its tree of nodes when asked. It takes no programs from the parent: it
 * acknowledges the parent's desired state, which for a machine is empty, and answers a call with
 * an error.
 */
@Component(immediate = true)
public final class Uplink implements SlaveLinkListener {

    private static final Logger LOG = Logger.getLogger("sdm.stack");
    /** Counts are sent on every change, and every this many heartbeats even without one. */
    private static final int RESEND_EVERY = 10;

    @Reference
    private MachineInfo machine;
    @Reference
    private MachineTree tree;

    private UplinkSettings settings;
    private String version;
    private volatile SlaveLink link;
    private ScheduledExecutorService ticker;
    private StackMessages.MachineCounts sent;
    private int ticks;

    @Activate
    void activate(BundleContext context) {
        version = FrameworkUtil.getBundle(getClass()).getVersion().toString();
        try {
            settings = UplinkSettings.from(context);
        } catch (IOException | IllegalArgumentException e) {
            NodeFailure.report(context, "cannot join the parent machine: " + e.getMessage());
            return;
        }
        LOG.info("joining the parent machine at " + String.join(",", settings.parents()) + " as one node");
        // before the link: its first welcome uses the ticker
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-uplink-counts").daemon()
                .factory());
        link = new SlaveLink(new SlaveLink.Config(settings.parents(), settings.token(), settings.ownKeys(),
                settings.enrolled(), this::registration, Duration.ofMillis(settings.heartbeatMs()),
                Duration.ofMillis(settings.livenessMs()), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Thread.ofPlatform().name("sdm-uplink-", 0).factory()), this);
        ticker.scheduleWithFixedDelay(() -> sendCounts(false), settings.heartbeatMs(), settings.heartbeatMs(),
                TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        SlaveLink l = link;
        if (l != null) {
            l.close();
        }
    }

    private Message.Register registration() {
        MasterInfo m = machine.master();
        return new Message.Register(m.id(), "machine@" + m.address(), settings.labels(), Platform.os(), Platform.arch(),
                version, true);
    }

    /** The machine's slaves, those of its own child machines included, and how many of them are online. */
    static StackMessages.MachineCounts counts(List<NodeInfo> nodes) {
        long slaves = 0;
        long online = 0;
        for (NodeInfo n : nodes) {
            if (n.role() == NodeInfo.Role.SLAVE) {
                slaves++;
                online += n.online() ? 1 : 0;
            } else if (n.role() == NodeInfo.Role.MACHINE) {
                slaves += n.slaves();
                online += n.online() ? n.slavesOnline() : 0;
            }
        }
        // clamped: machines made each other's parents by mistake would add each other's counts for ever
        return new StackMessages.MachineCounts((int) Math.min(slaves, Integer.MAX_VALUE),
                (int) Math.min(online, Integer.MAX_VALUE));
    }

    private synchronized void sendCounts(boolean always) {
        SlaveLink l = link;
        if (l == null || !l.connected()) {
            return;
        }
        try {
            StackMessages.MachineCounts now = counts(machine.nodes());
            if (always || !now.equals(sent) || ++ticks % RESEND_EVERY == 0) {
                l.send(now);
                sent = now;
            }
        } catch (RuntimeException e) {
            // the master is stopping, or not serving: the next tick tries again
            LOG.fine("counting this machine's slaves: " + e);
        }
    }

    @Override
    public void onConnected(Message.Welcome welcome) {
        LOG.info("this machine is a node of the parent machine " + welcome.masterId());
        try {
            ticker.execute(() -> sendCounts(true));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    @Override
    public void onDisconnected(String reason) {
        LOG.warning("lost the parent machine: " + reason);
    }

    @Override
    public void onEnrolled(String nodeId) {
        try {
            new DataFolder(settings.data()).write(UplinkSettings.ENROLLED, settings.token().masterPublicKey(), false);
        } catch (IOException e) {
            // the link goes on with its own key; the next start enrolls it again, which the parent allows
            LOG.warning("cannot note the enrollment with the parent in " + settings.data() + ": " + e.getMessage());
        }
    }

    @Override
    public void onRefused(String reason) {
        LOG.warning("the parent machine refused this machine: " + reason);
    }

    private static StackMessages.TreeReply treeReply(String requestId, List<NodeTree> nodes, Throwable failure) {
        if (failure == null) {
            try {
                return new StackMessages.TreeReply(requestId, StackMessages.toWire(nodes), null);
            } catch (IllegalArgumentException e) {
                failure = e; // a tree past the bounds of a reply
            }
        }
        return new StackMessages.TreeReply(requestId, List.of(), ErrorLine.of(failure));
    }

    @Override
    public void onMessage(Message message) {
        SlaveLink l = link;
        if (l == null) {
            return;
        }
        switch (message) {
            case Message.Desired d -> l.send(new Message.Report(d.revision(), List.of()));
            case Message.Call c -> l.send(new Message.CallResult(c.callId(), false, null,
                    "a child machine runs no calls of its parent's programs"));
            case StackMessages.TreeRequest r -> tree.tree(Duration.ofMillis(r.timeoutMs()))
                    .whenComplete((nodes, e) -> l.send(treeReply(r.requestId(), nodes, e)));
            default -> { }
        }
    }
}
