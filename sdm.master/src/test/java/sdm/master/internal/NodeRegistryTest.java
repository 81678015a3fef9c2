package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import sdm.api.NodeInfo;
import sdm.transport.zmq.Message;

class NodeRegistryTest {

    private final NodeRegistry registry = new NodeRegistry(3_000);
    private final List<String> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                warnings.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("sdm.master").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("sdm.master").removeHandler(capture);
    }

    private static Message.Register reg(String id, String name) {
        return new Message.Register(id, name, Map.of(), "linux", "x86_64", "0.1.0");
    }

    private NodeInfo only() {
        assertThat(registry.snapshot()).hasSize(1);
        return registry.snapshot().get(0);
    }

    @Test
    void aSilentNodeGoesOfflineAndAnyTrafficBringsItBack() {
        registry.register("r1", "10.0.0.1:5000", reg("n1", "a"), 1_000);
        registry.sweep(3_900);
        assertThat(only().online()).isTrue();
        assertThat(registry.onlineCount()).isEqualTo(1);
        registry.sweep(4_001);
        assertThat(only().online()).isFalse();
        assertThat(registry.onlineCount()).isZero();
        assertThat(only().offlineSinceMs()).isEqualTo(4_001);
        assertThat(registry.touch("r1", 5_000)).isTrue();
        assertThat(only().online()).isTrue();
        assertThat(registry.onlineCount()).isEqualTo(1);
        assertThat(only().onlineSinceMs()).isEqualTo(5_000);
        assertThat(registry.touch("unknown", 5_000)).as("unknown connection must register").isFalse();
    }

    @Test
    void aRestartWithinTheLivenessTimeoutStartsANewSession() {
        registry.register("r1", "a:1", reg("n1", "a"), 1_000);
        registry.register("r2", "a:2", reg("n1", "a"), 2_500);
        assertThat(only().onlineSinceMs()).isEqualTo(2_500);
        assertThat(only().address()).isEqualTo("a:2");
        assertThat(registry.touch("r1", 2_600)).as("the old connection is gone").isFalse();
    }

    @Test
    void twoProcessesWithOneNodeIdAreReportedOnce() {
        registry.register("r1", "a:1", reg("n1", "a"), 1_000);
        registry.register("r2", "b:1", reg("n1", "a"), 1_100);
        assertThat(registry.touch("r1", 1_200)).isFalse();
        registry.register("r1", "a:1", reg("n1", "a"), 1_300);
        assertThat(registry.touch("r2", 1_400)).isFalse();
        assertThat(warnings).hasSize(1).first().asString().contains("two slaves claim node id n1");
    }

    @Test
    void nodesAreListedByName() {
        registry.register("r1", "x", reg("n1", "zeta"), 1);
        registry.register("r2", "x", reg("n2", "alpha"), 1);
        assertThat(registry.snapshot()).extracting(NodeInfo::name).containsExactly("alpha", "zeta");
    }

    @Test
    void aNodeOfflineLongerThanTheLimitIsForgottenWithItsStateElsewhere() {
        registry.register("r1", "a:1", reg("n1", "gone"), 1_000);
        registry.register("r2", "b:1", reg("n2", "kept"), 1_000);
        registry.sweep(5_000);
        assertThat(registry.touch("r2", 6_000)).isTrue();
        NodeCounterBook counters = new NodeCounterBook();
        counters.expired("n1");
        List<String> told = new ArrayList<>();
        registry.forget(5_000 + 10_000, 10_000, told::add, counters::forget);
        assertThat(told).as("not offline long enough yet").isEmpty();
        registry.forget(5_001 + 10_000, 10_000, told::add, counters::forget);
        assertThat(told).containsExactly("n1");
        assertThat(only().id()).isEqualTo("n2");
        assertThat(registry.nodeIdOf("r1")).isNull();
        Map<String, Long> shown = new java.util.TreeMap<>();
        counters.addTo(shown, registry.snapshot());
        assertThat(shown).doesNotContainKey("node.gone.expiredAtMaster");
        // back after being forgotten: a new node
        registry.register("r3", "a:2", reg("n1", "gone"), 20_000);
        assertThat(registry.snapshot()).extracting(NodeInfo::id).containsExactlyInAnyOrder("n1", "n2");
    }
}
