package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ExportException;
import sdm.api.NodeInfo;
import sdm.api.ProgramRuntime;
import sdm.api.ProgramState;
import sdm.archive.JamManifest;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.Post;
import sdm.transport.zmq.PeerRole;

/** The master's checks of export calls and posts, against a runtime that records what it is handed. */
class ExportCallsTest {

    private record Handed(String function, List<Object> args, String nodeId) {
    }

    @TempDir
    Path dir;
    private final List<Message> sent = new CopyOnWriteArrayList<>();
    private final List<Handed> handed = new CopyOnWriteArrayList<>();
    private CompletableFuture<Object> answer = CompletableFuture.completedFuture(7);
    private ProgramStore store;
    private ExportCalls exports;

    @BeforeEach
    void master() throws Exception {
        store = ProgramStore.open(dir.resolve("programs"));
        Manifests manifests = new Manifests(store);
        manifests.put("ab".repeat(32), JamManifest.parse("""
                {"name": "up", "version": "1.0.0", "master": {"main": "js/m.js", "exports": [
                  {"name": "reading", "returns": "int", "params": ["string", "double", "int", "bool", "long"]},
                  {"name": "tick", "returns": "void", "params": []}]}}""".getBytes(StandardCharsets.UTF_8)));
        store.put(new ProgramStore.Program("up", "1.0.0", "ab".repeat(32), 10, ProgramState.ACTIVE, List.of(), "", 1));
        ProgramRuntime runtime = new ProgramRuntime() {
            @Override
            public void start(org.osgi.framework.Bundle program) {
            }

            @Override
            public void stop(org.osgi.framework.Bundle program) {
            }

            @Override
            public CompletionStage<Object> callExport(String program, String function, List<Object> args,
                    String nodeId, Duration timeout) {
                handed.add(new Handed(function, args, nodeId));
                return answer;
            }
        };
        exports = new ExportCalls(store, manifests, () -> runtime, (routingId, m) -> sent.add(m));
    }

    private static MasterEndpoint.Peer peer(long senderNowMs) {
        return new MasterEndpoint.Peer("r1", PeerRole.SLAVE, "127.0.0.1:1", "n1", senderNowMs);
    }

    private Message.ExportResult call(String function, Object... args) {
        sent.clear();
        exports.onCall("n1", peer(1), new Message.ExportCall("c1", "up", function, List.of(args), 1_000));
        return (Message.ExportResult) sent.getLast();
    }

    @Test
    void aCallOfTheDeclaredTypesReachesTheRuntimeAndIsAnswered() {
        Message.ExportResult r = call("reading", "t1", 21, 3, true, 5_000_000_000L);
        assertThat(r.code()).isZero();
        assertThat(r.value()).isEqualTo(7);
        assertThat(handed).containsExactly(new Handed("reading", List.of("t1", 21.0, 3, true, 5_000_000_000L), "n1"));
    }

    @Test
    void wrongCallsAreRefusedWithTheirCodeBeforeTheRuntimeSeesThem() {
        assertThat(call("nope")).extracting(Message.ExportResult::code, Message.ExportResult::error)
                .containsExactly(ExportException.Reason.NOT_DECLARED.code(), "program up exports no function 'nope'");
        assertThat(call("reading", "t1")).extracting(Message.ExportResult::code, Message.ExportResult::error)
                .containsExactly(ExportException.Reason.BAD_ARGUMENTS.code(),
                        "reading(string, double, int, bool, long) takes 5 arguments, got 1");
        assertThat(call("reading", "t1", 1, "3", true, 1).error()).isEqualTo(
                "argument 3 of reading(string, double, int, bool, long): a string is not an int");
        assertThat(call("reading", "t1", 1, 3_000_000_000L, true, 1).code())
                .isEqualTo(ExportException.Reason.BAD_ARGUMENTS.code());
        assertThat(call("reading", 5, 1, 3, true, 1).code()).isEqualTo(ExportException.Reason.BAD_ARGUMENTS.code());
        assertThat(handed).isEmpty();
        assertThat(counters()).containsEntry("node.one.js.up.callsRefusedAtMaster", 5L);
    }

    @Test
    void aFailureOfTheRuntimeIsAnsweredWithItsReason() {
        answer = CompletableFuture.failedFuture(new ExportException(ExportException.Reason.FAILED, "TypeError: boom"));
        assertThat(call("tick")).extracting(Message.ExportResult::code, Message.ExportResult::error)
                .containsExactly(ExportException.Reason.FAILED.code(), "TypeError: boom");
        answer = CompletableFuture.failedFuture(new IllegalStateException("odd"));
        assertThat(call("tick").code()).isEqualTo(ExportException.Reason.FAILED.code());
        assertThat(counters()).containsEntry("node.one.js.up.callsFailed", 2L);
    }

    @Test
    void aStoppedProgramIsNotRunning() throws Exception {
        store.put(store.get("up").orElseThrow().withState(ProgramState.STOPPED, 2));
        assertThat(call("tick").code()).isEqualTo(ExportException.Reason.NOT_RUNNING.code());
    }

    @Test
    void postsAreHandedOverInOrderOnceEachUnlessExpiredAndAcknowledged() {
        Post p1 = new Post(1, "up", "tick", List.of(), 100, 1_000);
        Post p2 = new Post(2, "up", "tick", List.of(), 100, 10);
        Post p3 = new Post(3, "up", "reading", List.of("t", 1, 2, false, 3), 100, 1_000);
        Post p4 = new Post(4, "up", "nope", List.of(), 100, 1_000);
        exports.onPosts("n1", peer(500), new Message.Posts(9, List.of(p1, p2, p3, p4)));
        assertThat(sent).containsExactly(new Message.PostAck(9, 4));
        assertThat(handed).extracting(Handed::function).containsExactly("tick", "reading");
        // the same batch again after a reconnection: acknowledged, nothing handed twice
        exports.onPosts("n1", peer(500), new Message.Posts(9, List.of(p3, p4, new Post(5, "up", "tick", List.of(), 400, 1_000))));
        assertThat(handed).hasSize(3);
        assertThat(sent.getLast()).isEqualTo(new Message.PostAck(9, 5));
        // a new run of the slave counts from 1 again
        exports.onPosts("n1", peer(500), new Message.Posts(10, List.of(p1)));
        assertThat(handed).hasSize(4);
        assertThat(counters()).containsEntry("node.one.js.up.postsDelivered", 4L)
                .containsEntry("node.one.js.up.postsExpiredAtMaster", 1L).containsEntry("node.one.js.up.postsRefused", 1L)
                .containsEntry("node.one.js.up.postsDuplicate", 2L);
    }

    private Map<String, Long> counters() {
        Map<String, Long> out = new java.util.TreeMap<>();
        exports.addTo(out, List.of(new NodeInfo("n1", "one", NodeInfo.Role.SLAVE, "127.0.0.1:1", "linux", "x86_64",
                Map.of(), "1", true, 0, 0, 0)));
        return out;
    }
}
