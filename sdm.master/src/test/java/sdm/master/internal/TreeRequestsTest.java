package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import sdm.api.NodeTree;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.StackMessages;

class TreeRequestsTest {

    private final NodeRegistry registry = new NodeRegistry(3_000);
    private final List<Message> sent = new ArrayList<>();
    private final TreeRequests trees = new TreeRequests(registry, (routingId, m) -> sent.add(m));

    private void register(String routingId, String id, boolean machine) {
        registry.register(routingId, "127.0.0.1", new Message.Register(id, id, Map.of(), "linux", "x86_64", "1",
                machine), System.currentTimeMillis());
    }

    @Test
    void aChildMachineIsAskedForItsTreeWithLessTimeAndItsAnswerGoesUnderIt() throws Exception {
        register("r1", "leaf", false);
        register("r2", "child", true);
        CompletableFuture<List<NodeTree>> tree = trees.tree(Duration.ofSeconds(5));
        assertThat(sent).hasSize(1);
        StackMessages.TreeRequest asked = (StackMessages.TreeRequest) sent.getFirst();
        assertThat(asked.timeoutMs()).isEqualTo(5_000 - TreeRequests.MARGIN_MS);
        trees.onReply("leaf", new StackMessages.TreeReply(asked.requestId(), List.of(), "from the wrong node"));
        assertThat(tree).isNotDone();
        trees.onReply("child", new StackMessages.TreeReply(asked.requestId(), List.of(new StackMessages.TreeNode(
                "below", "below", false, true, "linux", "x86_64", Map.of(), 0, 0, List.of(), null)), null));
        List<NodeTree> got = tree.get();
        NodeTree child = got.stream().filter(t -> t.node().id().equals("child")).findFirst().orElseThrow();
        assertThat(child.error()).isNull();
        assertThat(child.nodes()).extracting(t -> t.node().id()).containsExactly("below");
        assertThat(got.stream().filter(t -> t.node().id().equals("leaf")).findFirst().orElseThrow().nodes()).isEmpty();
    }

    @Test
    void aChildThatDoesNotAnswerInTimeComesWithThatError() throws Exception {
        register("r2", "child", true);
        List<NodeTree> got = trees.tree(Duration.ofMillis(200)).get();
        assertThat(got.getFirst().error()).isEqualTo("no answer within 200 ms");
        assertThat(got.getFirst().nodes()).isEmpty();
    }

    @Test
    void noChildIsAskedOnceTheTimeLeftIsNoMoreThanItsMargin() throws Exception {
        register("r2", "child", true);
        List<NodeTree> got = trees.tree(Duration.ofMillis(TreeRequests.MARGIN_MS)).get();
        assertThat(sent).isEmpty();
        assertThat(got.getFirst().error()).isEqualTo("no time left to ask it");
    }

    @Test
    void anOfflineChildIsNotAsked() throws Exception {
        register("r2", "child", true);
        registry.sweep(System.currentTimeMillis() + 10_000);
        List<NodeTree> got = trees.tree(Duration.ofSeconds(5)).get();
        assertThat(sent).isEmpty();
        assertThat(got.getFirst().error()).isEqualTo("offline");
    }
}
