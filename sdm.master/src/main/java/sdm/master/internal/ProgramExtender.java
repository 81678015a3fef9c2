package sdm.master.internal;

import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.ServiceTracker;

import sdm.api.ProgramBundles;
import sdm.api.ProgramRuntime;
import sdm.api.node.ErrorLine;

/**
 * The master's extender for program bundles: it tracks active bundles that carry an
 * {@code SDM-Program} header and hands each to every {@link ProgramRuntime} (the JavaScript
 * runtime of sdm.kernel), when the bundle starts or the runtime arrives, and takes it back
 * when either goes. A runtime that fails on a program marks that program failed on the master.
 */
final class ProgramExtender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final BundleTracker<String> programs;
    private final ServiceTracker<ProgramRuntime, ProgramRuntime> runtimes;
    private final BiConsumer<String, String> failed;

    /** @param failed told (program name, reason) when a runtime cannot start a program */
    ProgramExtender(BundleContext context, BiConsumer<String, String> failed) {
        this.failed = failed;
        this.runtimes = new ServiceTracker<>(context, ProgramRuntime.class, null) {
            @Override
            public ProgramRuntime addingService(ServiceReference<ProgramRuntime> ref) {
                ProgramRuntime runtime = super.addingService(ref);
                if (runtime != null) {
                    programs.getTracked().keySet().forEach(b -> start(runtime, b));
                }
                return runtime;
            }

            @Override
            public void removedService(ServiceReference<ProgramRuntime> ref, ProgramRuntime runtime) {
                programs.getTracked().keySet().forEach(b -> stop(runtime, b));
                super.removedService(ref, runtime);
            }
        };
        this.programs = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public String addingBundle(Bundle bundle, BundleEvent event) {
                String name = ProgramBundles.programOf(bundle);
                if (name == null) {
                    return null;
                }
                for (ProgramRuntime runtime : runtimes.getTracked().values()) {
                    start(runtime, bundle);
                }
                return name;
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, String name) {
                for (ProgramRuntime runtime : runtimes.getTracked().values()) {
                    stop(runtime, bundle);
                }
            }
        };
        runtimes.open();
        programs.open();
    }

    private void start(ProgramRuntime runtime, Bundle bundle) {
        try {
            runtime.start(bundle);
        } catch (Exception e) {
            String name = ProgramBundles.programOf(bundle);
            LOG.warning("program " + name + " failed to start on the master: " + ErrorLine.of(e));
            failed.accept(name, ErrorLine.of(e));
        }
    }

    private void stop(ProgramRuntime runtime, Bundle bundle) {
        try {
            runtime.stop(bundle);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping program " + ProgramBundles.programOf(bundle) + " failed", e);
        }
    }

    /** A runtime of programs' master parts (the JavaScript kernel), or null if none runs. */
    ProgramRuntime runtime() {
        return runtimes.getService();
    }

    @Override
    public void close() {
        programs.close();
        runtimes.close();
    }
}
