package sdm.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a slave comes online or goes offline, as {@link MachineInfo} sees it. Register one
 * as an OSGi service on the master (the whiteboard pattern): the kernel turns these into the
 * programs' {@code nodeUp} and {@code nodeDown} events. Calls come one at a time from one
 * thread of the master's, in the order of the changes; return quickly.
 */
@ConsumerType
public interface MachineListener {

    /** The slave joined, or is back after being offline (or after reconnecting). */
    default void nodeUp(NodeInfo node) {
    }

    /** The slave is offline: silent for longer than the liveness timeout. */
    default void nodeDown(NodeInfo node) {
    }
}
