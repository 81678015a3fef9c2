package sdm.master.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import sdm.api.MachineTree;
import sdm.api.NodeTree;

/** {@link MachineTree} on the master: the tree below the running master node. */
@Component(service = MachineTree.class)
public final class MachineTreeService implements MachineTree {

    @Reference
    private MasterNode master;

    @Override
    public CompletionStage<List<NodeTree>> tree(Duration timeout) {
        try {
            return master.trees().tree(timeout);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
