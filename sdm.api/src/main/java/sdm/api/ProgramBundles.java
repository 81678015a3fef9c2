package sdm.api;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * What makes a bundle a program's on every node of a machine: the manifest header that names
 * its program. The master installs it at {@code jam:NAME}; a slave at the file it fetched.
 */
public final class ProgramBundles {

    /** The header that the archive converter writes into a program's bundle: the program's name. */
    public static final String HEADER = "SDM-Program";
    /** The master installs program bundles at this prefix and the program's name. */
    public static final String LOCATION_PREFIX = "jam:";

    private ProgramBundles() {
    }

    /** Where the master installs a program's bundle. */
    public static String location(String program) {
        return LOCATION_PREFIX + program;
    }

    /** The program a bundle carries, or null for a bundle that is not a program's. */
    public static String programOf(Bundle bundle) {
        return bundle.getHeaders().get(HEADER);
    }

    /**
     * Drops a bundle's old revision (its class loader, its extracted native code) and waits for
     * it, so that a start right after does not race the refresh.
     *
     * @param context any bundle context of the framework the bundle is in
     * @return false if the refresh did not finish within 30 s
     */
    public static boolean refresh(BundleContext context, Bundle bundle) {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            return done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
