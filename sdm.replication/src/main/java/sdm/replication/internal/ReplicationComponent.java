package sdm.replication.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import sdm.api.NodeFailure;
import sdm.api.node.ErrorLine;
import sdm.api.node.NodeProperties;
import sdm.api.replication.ReplicatedLog;
import sdm.api.replication.ReplicatedState;

/**
 * This master's member of the machine's replicated log, on a master started with
 * {@link NodeProperties#MASTER_REPLICAS}: once a {@link ReplicatedState} is there to apply to,
 * it starts the log (in {@code DATA/replication/}) and registers it as a {@link ReplicatedLog}.
 * A single master has no such property, and nothing starts.
 */
@Component(immediate = true)
public final class ReplicationComponent {

    private static final Logger LOG = Logger.getLogger("sdm.replication");
    /** Elections time out after 0.5 to 1 s: a new leader within about 1.5 s of the old one's death. */
    static final Duration ELECTION_MIN = Duration.ofMillis(500);
    static final long SNAPSHOT_EVERY = 1_024;
    /** Only closed segments are purged: small enough that 10,000 small entries fill a few. */
    static final long SEGMENT_BYTES = 1L << 20;

    @Reference
    private ReplicatedState state;
    private RatisLog log;
    private ServiceRegistration<ReplicatedLog> registration;

    @Activate
    void activate(BundleContext context) {
        String list = context.getProperty(NodeProperties.MASTER_REPLICAS);
        if (list == null || list.isBlank()) {
            return;
        }
        try {
            start(context, list);
        } catch (IOException | RuntimeException e) {
            // the master cannot be one of the machine's masters: its launcher stops it with this line
            NodeFailure.report(context, "cannot start the masters' log: " + ErrorLine.of(e));
        }
    }

    private void start(BundleContext context, String list) throws IOException {
        ReplicaList replicas = ReplicaList.parse(list, context.getProperty(NodeProperties.MASTER_BIND));
        Path storage = Path.of(context.getProperty(NodeProperties.DATA)).resolve("replication");
        Path data = Path.of(context.getProperty(NodeProperties.DATA));
        RatisLog.Config config = new RatisLog.Config(replicas.self(), replicas.consensus(), replicas.endpoints(),
                storage, ELECTION_MIN, SNAPSHOT_EVERY, SEGMENT_BYTES, consensusKey(data, replicas));
        log = RatisLog.start(config, state);
        registration = context.registerService(ReplicatedLog.class, log, null);
        LOG.info("replica " + replicas.self() + " of " + replicas.endpoints().values() + ", consensus at "
                + replicas.consensus().get(replicas.self()));
    }

    /**
     * The machine's consensus key in {@code DATA/consensus.p12}; the first master of the list
     * creates it if it is not there, the others must be given a copy.
     */
    private static ConsensusKey consensusKey(Path data, ReplicaList replicas) throws IOException {
        Path file = data.resolve(ConsensusKey.FILE);
        if (!java.nio.file.Files.exists(file)) {
            String first = replicas.endpoints().keySet().iterator().next();
            if (!replicas.self().equals(first)) {
                throw new IOException("no " + file + ": copy " + ConsensusKey.FILE + " from the data folder of the first"
                        + " master (" + replicas.endpoints().get(first) + "), which creates it, before starting this one");
            }
            try {
                ConsensusKey.create(file);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while creating " + file);
            }
            LOG.warning("created the machine's consensus key " + file + "; every other master needs a copy of it in its"
                    + " data folder (owner-only)");
        }
        sdm.api.node.DataFolder.requireOwnerOnly(file);
        return ConsensusKey.load(file);
    }

    @Deactivate
    void deactivate() throws IOException {
        if (registration != null) {
            registration.unregister();
        }
        if (log != null) {
            log.close();
        }
    }
}
