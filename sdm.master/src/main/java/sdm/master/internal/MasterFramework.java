package sdm.master.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

import sdm.api.ProgramBundles;
import sdm.api.ProgramRuntime;
import sdm.api.ProgramState;
import sdm.api.node.ErrorLine;

/**
 * The programs' bundles in the master's own Felix, and why a program failed there (its bundle
 * would not start, or its JavaScript failed after starting). Starts and stops are transient:
 * after a restart the master starts what the store says, and nothing else.
 */
final class MasterFramework implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final BundleContext context;
    private final ProgramStore store;
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private volatile ProgramExtender extender;

    MasterFramework(BundleContext context, ProgramStore store) {
        this.context = context;
        this.store = store;
    }

    void open() {
        extender = new ProgramExtender(context, failures::put);
    }

    /** The runtime of the programs' JavaScript, or null if the master runs none. */
    ProgramRuntime runtime() {
        ProgramExtender e = extender;
        return e == null ? null : e.runtime();
    }

    /** Stops every program on the master (transiently: the store says what runs after a restart). */
    @Override
    public void close() {
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(ProgramBundles.LOCATION_PREFIX) && running(b)) {
                try {
                    b.stop(Bundle.STOP_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.warning("stopping " + b.getLocation() + " on the master: " + ErrorLine.of(e));
                }
            }
        }
        if (extender != null) {
            extender.close();
        }
    }

    /** Uninstalls the programs' bundles that are not among {@code names} (left by an earlier term or a crash). */
    void retain(java.util.Set<String> names) {
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (location.startsWith(ProgramBundles.LOCATION_PREFIX)
                    && !names.contains(location.substring(ProgramBundles.LOCATION_PREFIX.length()))) {
                uninstall(location.substring(ProgramBundles.LOCATION_PREFIX.length()));
            }
        }
    }

    /** Installs the program's bundle, or updates it to the stored bytes (stopped first: one restart, not two). */
    void install(ProgramStore.Program p) throws BundleException, IOException {
        Bundle b = bundle(p.name());
        try (InputStream in = Files.newInputStream(store.bundle(p.sha256()))) {
            if (b == null) {
                context.installBundle(ProgramBundles.location(p.name()), in);
            } else {
                if (running(b)) {
                    b.stop(Bundle.STOP_TRANSIENT);
                }
                b.update(in);
                refresh(b);
            }
        }
    }

    /** Starts or stops the program's bundle as its desired state says; a program that failed is not started. */
    void apply(ProgramStore.Program p) {
        Bundle b = bundle(p.name());
        if (b == null) {
            return;
        }
        try {
            if (p.state() == ProgramState.ACTIVE) {
                if (!failures.containsKey(p.name())) {
                    b.start(Bundle.START_TRANSIENT);
                }
            } else if (running(b)) {
                b.stop(Bundle.STOP_TRANSIENT);
            }
        } catch (BundleException | IllegalStateException e) {
            failed(p.name(), ErrorLine.of(e));
            LOG.warning("program " + p.name() + " on the master: " + ErrorLine.of(e));
        }
    }

    void uninstall(String name) {
        Bundle b = bundle(name);
        if (b != null) {
            try {
                b.uninstall();
                refresh(b);
            } catch (BundleException | IllegalStateException e) {
                LOG.warning("uninstalling " + name + " on the master: " + ErrorLine.of(e));
            }
        }
        failures.remove(name);
    }

    /** Stops a failed program's bundle, so that the operator's next {@code sdm:start} runs it afresh. */
    void stopFailed(String name) {
        Bundle b = bundle(name);
        if (b != null && failures.containsKey(name) && running(b)) {
            try {
                b.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException | IllegalStateException e) {
                LOG.warning("stopping failed program " + name + " on the master: " + ErrorLine.of(e));
            }
        }
    }

    void failed(String name, String reason) {
        failures.put(name, reason);
    }

    /** A new attempt: the program may start again. */
    void forgetFailure(String name) {
        failures.remove(name);
    }

    NodeState state(ProgramStore.Program p) {
        String failure = failures.get(p.name());
        if (failure != null) {
            return new NodeState("master", "master", ProgramState.FAILED, failure);
        }
        Bundle b = bundle(p.name());
        if (b == null) {
            return new NodeState("master", "master", ProgramState.PENDING, "not installed");
        }
        boolean active = b.getState() == Bundle.ACTIVE;
        ProgramState state = active ? ProgramState.ACTIVE
                : p.state() == ProgramState.ACTIVE ? ProgramState.PENDING : p.state();
        return new NodeState("master", "master", state, "");
    }

    private Bundle bundle(String name) {
        return context.getBundle(ProgramBundles.location(name));
    }

    private static boolean running(Bundle b) {
        return (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0;
    }

    private void refresh(Bundle b) {
        if (!ProgramBundles.refresh(context, b)) {
            LOG.warning("refreshing " + b.getLocation() + " did not finish within 30 s");
        }
    }
}
