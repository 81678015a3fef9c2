package sdm.api;

import java.util.function.IntConsumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * How the master tells the launcher that runs it how many of its slaves are online, for the
 * launcher's "N of N slaves online" line. The launcher registers an {@link IntConsumer}
 * service with the property {@value #PROPERTY}{@code =true}; the master calls it after every
 * change of a node's online state, in the order of the changes.
 */
public final class OnlineNodes {

    /** Service property that marks the launcher's consumer. */
    public static final String PROPERTY = "sdm.online.nodes";

    private OnlineNodes() {
    }

    /** Tells every registered consumer that {@code online} slaves are online. */
    public static void tell(BundleContext context, int online) {
        try {
            for (ServiceReference<IntConsumer> ref : context.getServiceReferences(IntConsumer.class,
                    "(" + PROPERTY + "=true)")) {
                IntConsumer consumer = context.getService(ref);
                if (consumer != null) {
                    try {
                        consumer.accept(online);
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
