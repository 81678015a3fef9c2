package sdm.master.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

import sdm.api.MachineListener;
import sdm.api.NodeInfo;
import sdm.api.OnlineNodes;

/**
 * Tells the {@link MachineListener} services (and {@link OnlineNodes}) of nodes going online
 * and offline, on one thread of its own: they hear the changes in their order, off the
 * registry's lock.
 */
final class MachineListeners implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final BundleContext context;
    private final NodeRegistry registry;
    private final ServiceTracker<MachineListener, MachineListener> listeners;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sdm-machine-events").daemon().factory());

    MachineListeners(BundleContext context, NodeRegistry registry) {
        this.context = context;
        this.registry = registry;
        this.listeners = new ServiceTracker<>(context, MachineListener.class, null);
        listeners.open();
    }

    void transition(String nodeId, boolean online) {
        thread.execute(() -> {
            tell(nodeId, online);
            OnlineNodes.tell(context, registry.onlineCount());
        });
    }

    private void tell(String nodeId, boolean up) {
        NodeInfo node = registry.node(nodeId);
        if (node == null) {
            return;
        }
        for (MachineListener l : listeners.getTracked().values()) {
            try {
                if (up) {
                    l.nodeUp(node);
                } else {
                    l.nodeDown(node);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a machine listener failed on " + nodeId, e);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        listeners.close();
    }
}
