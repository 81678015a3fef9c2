package sdm.master.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import sdm.api.NodeInfo;
import sdm.api.NodeTree;
import sdm.transport.zmq.StackMessages;

/**
 * The machine's tree ({@code sdm:nodes --tree}): this master's nodes, and under each child
 * machine online the tree it gives when asked. Every child is asked at once, and given a little
 * less than the caller's time so that its answer, its own children's included, comes within it.
 */
final class TreeRequests {

    /** What a child keeps of the time it is given, for its answer to travel back. */
    static final long MARGIN_MS = 100;

    private record Pending(String nodeId, CompletableFuture<StackMessages.TreeReply> reply) {
    }

    private final NodeRegistry registry;
    private final Wire wire;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    TreeRequests(NodeRegistry registry, Wire wire) {
        this.registry = registry;
        this.wire = wire;
    }

    CompletableFuture<List<NodeTree>> tree(Duration timeout) {
        List<CompletableFuture<NodeTree>> parts = registry.snapshot().stream().map(n -> below(n, timeout)).toList();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<NodeTree> below(NodeInfo n, Duration timeout) {
        if (n.role() != NodeInfo.Role.MACHINE) {
            return CompletableFuture.completedFuture(new NodeTree(n, List.of(), null));
        }
        String routingId = registry.routingIdOf(n.id());
        if (!n.online() || routingId == null) {
            return CompletableFuture.completedFuture(new NodeTree(n, List.of(), "offline"));
        }
        if (timeout.toMillis() <= MARGIN_MS) {
            // deeper than the time allows, or machines that are each other's parents: the asking ends here
            return CompletableFuture.completedFuture(new NodeTree(n, List.of(), "no time left to ask it"));
        }
        String id = "tree-" + ids.incrementAndGet();
        CompletableFuture<StackMessages.TreeReply> reply = new CompletableFuture<>();
        pending.put(id, new Pending(n.id(), reply));
        wire.send(routingId, new StackMessages.TreeRequest(id, Math.max(1, timeout.toMillis() - MARGIN_MS)));
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((r, failure) -> {
            pending.remove(id);
            if (failure != null) {
                return new NodeTree(n, List.of(), "no answer within " + timeout.toMillis() + " ms");
            }
            return r.error() != null && !r.error().isEmpty() ? new NodeTree(n, List.of(), r.error())
                    : new NodeTree(n, StackMessages.fromWire(r.nodes()), null);
        });
    }

    /** A child's answer; one to a request it was not sent is dropped. */
    void onReply(String nodeId, StackMessages.TreeReply reply) {
        Pending p = pending.get(reply.requestId());
        if (p != null && p.nodeId().equals(nodeId)) {
            p.reply().complete(reply);
        }
    }
}
