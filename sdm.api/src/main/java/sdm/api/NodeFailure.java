package sdm.api;

import java.util.function.Consumer;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * How a bundle tells the node's launcher that the node cannot run (its port is taken, its
 * data folder is unreadable...). The launcher registers a {@code Consumer<String>} service
 * with the property {@value #PROPERTY}{@code =true}; it prints the line, stops the framework
 * and exits non-zero. Without a launcher (in a test container) the line is logged instead.
 */
public final class NodeFailure {

    /** Service property that marks the launcher's failure consumer. */
    public static final String PROPERTY = "sdm.fatal";

    private NodeFailure() {
    }

    /** Reports {@code line}, one sentence naming what is wrong, as fatal for this node. */
    @SuppressWarnings("unchecked")
    public static void report(BundleContext context, String line) {
        boolean told = false;
        try {
            for (ServiceReference<Consumer> ref : context.getServiceReferences(Consumer.class,
                    "(" + PROPERTY + "=true)")) {
                Consumer<String> consumer = context.getService(ref);
                if (consumer != null) {
                    try {
                        consumer.accept(line);
                        told = true;
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!told) {
            Logger.getLogger("sdm").severe(line);
        }
    }
}
