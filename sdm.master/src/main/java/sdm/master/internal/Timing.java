package sdm.master.internal;

import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import sdm.api.node.NodeProperties;

/**
 * How often the machine's peers beat and how long a silent one stays online, in milliseconds.
 *
 * @param heartbeatMs at least 10
 * @param livenessMs  longer than the heartbeat
 */
record Timing(long heartbeatMs, long livenessMs) {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    /**
     * The timing a ConfigAdmin configuration asks for ({@code sdm.heartbeat.ms} and
     * {@code sdm.liveness.ms}, either may be missing), or empty if it asks for none or for a
     * bad pair, which is refused with one line naming what was wrong.
     */
    static Optional<Timing> requested(String pid, Map<String, Object> config, Timing current) {
        Object h = config.get(NodeProperties.HEARTBEAT_MS);
        Object l = config.get(NodeProperties.LIVENESS_MS);
        if (h == null && l == null) {
            return Optional.empty();
        }
        long heartbeat;
        long liveness;
        try {
            heartbeat = h == null ? current.heartbeatMs : Long.parseLong(h.toString().strip());
            liveness = l == null ? Math.max(current.livenessMs, 3 * heartbeat) : Long.parseLong(l.toString().strip());
        } catch (NumberFormatException e) {
            LOG.warning("configuration " + pid + ": sdm.heartbeat.ms and sdm.liveness.ms must be numbers of "
                    + "milliseconds; keeping heartbeat " + current.heartbeatMs + " ms, liveness " + current.livenessMs
                    + " ms");
            return Optional.empty();
        }
        if (heartbeat < 10 || liveness <= heartbeat) {
            LOG.warning("configuration " + pid + ": heartbeat " + heartbeat + " ms and liveness " + liveness
                    + " ms refused (heartbeat at least 10 ms, liveness longer than heartbeat); keeping "
                    + current.heartbeatMs + " ms and " + current.livenessMs + " ms");
            return Optional.empty();
        }
        return Optional.of(new Timing(heartbeat, liveness));
    }
}
