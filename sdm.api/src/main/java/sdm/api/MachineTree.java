package sdm.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The whole tree of a stacked machine, asked of the nodes when called: this machine's nodes, and
 * under each child machine the tree that child gives in turn. Registered by the master.
 */
@ProviderType
public interface MachineTree {

    /**
     * The nodes below this master, sorted as {@link MachineInfo#nodes()}; a child machine that
     * does not answer within {@code timeout} (or is offline) comes with its error and no nodes.
     */
    CompletionStage<List<NodeTree>> tree(Duration timeout);
}
