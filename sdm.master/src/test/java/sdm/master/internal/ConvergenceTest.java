package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.archive.JamManifest;
import sdm.transport.zmq.Message;

/** Convergence against a wire that only records what it is given: desired states, re-sends, waits. */
class ConvergenceTest {

    private record Sent(String routingId, Message.Desired desired) {
    }

    @TempDir
    Path dir;

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private ProgramStore store;
    private NodeRegistry registry;
    private Manifests manifests;
    private Rollouts rollouts;
    private Convergence convergence;

    @BeforeEach
    void machine() throws Exception {
        store = ProgramStore.open(dir.resolve("programs"));
        registry = new NodeRegistry(60_000);
        manifests = new Manifests(store);
        rollouts = new Rollouts();
        convergence = new Convergence(store, registry, manifests, rollouts);
        convergence.connect((routingId, message) -> sent.add(new Sent(routingId, (Message.Desired) message)));
        long now = System.currentTimeMillis();
        registry.register("r-x86", "127.0.0.1", new Message.Register("n-x86", "x86", Map.of("room", "a"),
                "linux", "x86_64", "1"), now);
        registry.register("r-arm", "127.0.0.1", new Message.Register("n-arm", "arm", Map.of("room", "a"),
                "linux", "aarch64", "1"), now);
        registry.register("r-far", "127.0.0.1", new Message.Register("n-far", "far", Map.of("room", "b"),
                "linux", "x86_64", "1"), now);
    }

    private ProgramStore.Program program(String name, String version, String sha256, String state, long attempt)
            throws Exception {
        manifests.put(sha256, JamManifest.parse(("""
                {"name": "%s", "version": "%s", "placement": {"labels": {"room": "a"}},
                 "native": {"libraries": [{"os": "linux", "arch": "x86_64", "path": "native/lib%s.so"}],
                            "functions": [{"name": "f", "returns": "int", "params": []}]}}
                """).formatted(name, version, name).getBytes(StandardCharsets.UTF_8)));
        ProgramStore.Program p = new ProgramStore.Program(name, version, sha256, 100, ProgramState.of(state), List.of(),
                "", attempt);
        store.put(p);
        return p;
    }

    private List<Message.DesiredProgram> lastTo(String routingId) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).routingId().equals(routingId)) {
                return sent.get(i).desired().programs();
            }
        }
        return null;
    }

    private void report(String nodeId, ProgramStore.Program p, String state) {
        convergence.onReport(nodeId, new Message.Report(store.revision(), List.of(
                new Message.ProgramStatus(p.name(), p.version(), p.sha256(), ProgramState.of(state), "", p.attempt()))));
    }

    @Test
    void eachOnlineNodeIsSentWhatItsLabelsAndPlatformSelect() throws Exception {
        program("alpha", "1.0.0", "a".repeat(64), "active", 1);
        convergence.pushAll();

        assertThat(lastTo("r-x86")).extracting(Message.DesiredProgram::name, Message.DesiredProgram::state)
                .containsExactly(tuple("alpha", ProgramState.ACTIVE));
        assertThat(lastTo("r-arm")).extracting(Message.DesiredProgram::state).containsExactly(ProgramState.UNSUPPORTED);
        assertThat(lastTo("r-far")).isEmpty();
    }

    @Test
    void aNodeThatLagsIsSentItsStateAgainOnlyAfterAWhile() throws Exception {
        ProgramStore.Program p = program("alpha", "1.0.0", "a".repeat(64), "active", 1);
        convergence.pushAll();
        int before = sent.size();

        convergence.sweep(System.currentTimeMillis());
        assertThat(sent).hasSize(before);

        report("n-arm", p, "unsupported");
        convergence.onReport("n-far", new Message.Report(store.revision(), List.of()));
        convergence.sweep(System.currentTimeMillis() + 5_000);
        assertThat(sent.subList(before, sent.size())).extracting(Sent::routingId).containsExactly("r-x86");

        report("n-x86", p, "active");
        int settled = sent.size();
        convergence.sweep(System.currentTimeMillis() + 10_000);
        assertThat(sent).hasSize(settled);
    }

    @Test
    void aWaitEndsWhenEverySelectedNodeAnsweredTheAttemptOrFailedAtIt() throws Exception {
        ProgramStore.Program p = program("alpha", "1.0.0", "a".repeat(64), "active", 3);
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long began = System.nanoTime();
            convergence.awaitSettled("alpha", System.currentTimeMillis() + 30_000);
            return System.nanoTime() - began;
        });
        report("n-x86", p.withState(ProgramState.ACTIVE, 2), "active");
        assertThat(convergence.nodeSettled("alpha", "n-x86")).isFalse();
        report("n-x86", p, "failed");
        assertThat(convergence.nodeSettled("alpha", "n-x86")).isTrue();
        assertThat(waited).isNotDone();
        report("n-arm", p, "unsupported");
        assertThat(waited.get(10, TimeUnit.SECONDS)).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void nodesNotMovedByAnUpdateKeepTheOldVersion() throws Exception {
        ProgramStore.Program old = program("alpha", "1.0.0", "a".repeat(64), "active", 1);
        program("alpha", "1.1.0", "b".repeat(64), "active", 2);
        Rollouts.Rollout rollout = rollouts.begin(old);
        rollout.updated().add("n-x86");
        convergence.pushAll();
        assertThat(lastTo("r-x86")).extracting(Message.DesiredProgram::version).containsExactly("1.1.0");
        assertThat(lastTo("r-arm")).extracting(Message.DesiredProgram::version).containsExactly("1.0.0");
        assertThat(rollouts.oldBundles()).containsExactly("a".repeat(64));

        rollouts.end("alpha");
        assertThat(rollouts.oldBundles()).isEmpty();
    }

    @Test
    void aNodeThatRegistersAgainIsForgottenAndSentItsState() throws Exception {
        ProgramStore.Program p = program("alpha", "1.0.0", "a".repeat(64), "active", 1);
        report("n-x86", p, "active");
        assertThat(convergence.status("n-x86", "alpha")).isNotNull();

        convergence.nodeRegistered("n-x86");
        assertThat(convergence.status("n-x86", "alpha")).isNull();
        assertThat(sent).extracting(Sent::routingId).containsExactly("r-x86");
    }
}
