package sdm.api.node;

/**
 * The names of the files in a node's data folder that more than one part of SDM reads: the
 * launcher, the client and the tests find a master through them. Files that only one bundle
 * reads are named in that bundle.
 */
public final class NodeFiles {

    /** The node's persistent id, eight hex digits, made on first start. */
    public static final String NODE_ID = "node.id";
    /** The id of the process that runs the node, written at start. */
    public static final String PID = "sdm.pid";
    /** The master's address as its own machine reaches it, {@code HOST:PORT}. */
    public static final String MASTER_ENDPOINT = "master.endpoint";
    /** The master's CURVE public key (Z85). */
    public static final String MASTER_PUBLIC_KEY = "master.pub";
    /** The admin client's CURVE secret key (Z85), owner-only. */
    public static final String ADMIN_KEY = "admin.key";
    /** The join token of the machine, owner-only: on the master, made on first start; on a slave, kept from {@code --token}. */
    public static final String JOIN_TOKEN = "join.token";
    /**
     * The consensus key the replicated masters of one machine share (PKCS12, owner-only): made
     * by the first master of {@code --replicas}, copied to the others' data folders.
     */
    public static final String CONSENSUS_KEY = "consensus.p12";
    /** The folder of the node's log files. */
    public static final String LOG_FOLDER = "log";
    /** The master's data folder when none is given, relative to the working directory. */
    public static final String DEFAULT_MASTER_DATA = "sdm-data/master";
    /** A slave's data folder when none is given, relative to the working directory. */
    public static final String DEFAULT_SLAVE_DATA = "sdm-data/slave";

    private NodeFiles() {
    }
}
