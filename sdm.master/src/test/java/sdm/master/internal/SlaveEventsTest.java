package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.NodeInfo;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportCounters;

/** Events from slaves and the counters nodes report, on a registry and logs of the test's own. */
class SlaveEventsTest {

    @TempDir
    Path dir;

    private final NodeRegistry registry = new NodeRegistry(60_000);
    private final TransportCounters counters = new TransportCounters();

    private static Message.Event event(long epoch, long seq, String program) {
        return new Message.Event(epoch, seq, program, "error", "boom " + seq, System.currentTimeMillis(), 60_000);
    }

    @Test
    void eachEventIsShownOnceAndAcknowledgedOnceATickWithTheNewest() {
        registry.register("r1", "127.0.0.1", new Message.Register("n1", "one", Map.of(), "linux", "x86_64", "1"),
                System.currentTimeMillis());
        ProgramLogs logs = new ProgramLogs(dir);
        SlaveEvents events = new SlaveEvents(registry, logs, Set.of("calc")::contains);

        events.onEvent("n1", event(7, 1, "calc"), counters);
        events.onEvent("n1", event(7, 2, "calc"), counters);
        events.onEvent("n1", event(7, 2, "calc"), counters);
        events.onEvent("n1", event(7, 3, "gone"), counters);
        assertThat(logs.recent("calc", 10)).hasSize(2).allMatch(l -> l.contains("error on one"));
        assertThat(counters.get("droppedDuplicateEvents")).isEqualTo(1);
        assertThat(counters.get("droppedEventsOfUnknownPrograms")).isEqualTo(1);

        List<Object[]> sent = new ArrayList<>();
        events.acknowledge((routingId, m) -> sent.add(new Object[] {routingId, m}));
        events.acknowledge((routingId, m) -> sent.add(new Object[] {routingId, m}));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).containsExactly("r1", new Message.EventAck(7, 3));

        // a restarted slave numbers its events from 1 again, in a new epoch
        events.onEvent("n1", event(8, 1, "calc"), counters);
        assertThat(logs.recent("calc", 10)).hasSize(3);
    }

    @Test
    void nodesReportOnlyTheCountersASlaveHas() {
        NodeCounterBook book = new NodeCounterBook();
        book.reported("n1", Map.of("eventsExpired", 5L, "droppedExpired", Long.MAX_VALUE, "messagesIn", 9L,
                "js.calc.postsSent", 7L, "js.calc.postsLost", 1L, "js.Calc.callsMade", 2L));
        book.expired("n1");
        Map<String, Long> out = new java.util.TreeMap<>();
        book.addTo(out, List.of(new NodeInfo("n1", "one", NodeInfo.Role.SLAVE, "127.0.0.1", "linux", "x86_64",
                Map.of(), "1", true, 0, 0, 0)));
        assertThat(out).containsEntry("node.one.expiredAtMaster", 1L).containsEntry("node.one.eventsExpired", 5L)
                .doesNotContainKey("node.one.messagesIn").containsEntry("nodesDroppedExpired", Long.MAX_VALUE)
                .containsEntry("node.one.js.calc.postsSent", 7L).doesNotContainKey("node.one.js.calc.postsLost")
                .doesNotContainKey("node.one.js.Calc.callsMade");
    }
}
