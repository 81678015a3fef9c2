package sdm.api.node;

/**
 * The framework properties the launcher sets for the bundles of a node. Properties that only
 * one bundle reads, with their defaults, are named in that bundle.
 */
public final class NodeProperties {

    /** The node's data folder. */
    public static final String DATA = "sdm.data";
    /** How often peers send heartbeats, in milliseconds (the master's value wins on a slave). */
    public static final String HEARTBEAT_MS = "sdm.heartbeat.ms";
    /** How long a silent peer stays online, in milliseconds. */
    public static final String LIVENESS_MS = "sdm.liveness.ms";
    /** The master's {@code HOST:PORT} to bind. */
    public static final String MASTER_BIND = "sdm.master.bind";
    /**
     * Every master of a replicated machine, {@code HOST:PORT} of each one's slaves' endpoint,
     * separated by commas, the same list on each; this master's {@link #MASTER_BIND} is one of
     * them. Unset for a single master.
     */
    public static final String MASTER_REPLICAS = "sdm.master.replicas";
    /** The master a slave joins, {@code HOST:PORT}. */
    public static final String SLAVE_MASTER = "sdm.slave.master";
    /** The join token a slave presents on its first start. */
    public static final String SLAVE_TOKEN = "sdm.slave.token";
    /** A slave's display name. */
    public static final String SLAVE_NAME = "sdm.slave.name";
    /** A slave's labels, {@code k=v} separated by commas. */
    public static final String SLAVE_LABELS = "sdm.slave.labels";
    /** The parent machine a master joins as one node (stacking), {@code HOST:PORT} of its masters, comma-separated. */
    public static final String PARENT = "sdm.parent";
    /** The parent's join token, presented on the child's first start. */
    public static final String PARENT_TOKEN = "sdm.parent.token";
    /** The child machine's labels at its parent, {@code k=v} separated by commas. */
    public static final String PARENT_LABELS = "sdm.parent.labels";

    private NodeProperties() {
    }
}
