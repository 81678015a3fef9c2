package sdm.master.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import sdm.api.NodeInfo;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportCounters;

/**
 * What the slaves' C code logs (events), into the programs' logs: each event shown once, in
 * order, however often a reconnection makes a slave send it again, and acknowledged to its
 * slave at most once per node and tick, however many came in.
 */
final class SlaveEvents {

    private final NodeRegistry registry;
    private final ProgramLogs logs;
    private final Predicate<String> installed;
    /** Per node: the slave's run (epoch) and the last event of it shown; endpoint thread only. */
    private final Map<String, long[]> seen = new ConcurrentHashMap<>();
    private final Map<String, Message.EventAck> pendingAcks = new ConcurrentHashMap<>();

    SlaveEvents(NodeRegistry registry, ProgramLogs logs, Predicate<String> installed) {
        this.registry = registry;
        this.logs = logs;
        this.installed = installed;
    }

    /** A node forgotten by the registry: a slave that comes back has its events shown afresh. */
    void forget(String nodeId) {
        seen.remove(nodeId);
        pendingAcks.remove(nodeId);
    }

    /** On the endpoint's thread. */
    void onEvent(String nodeId, Message.Event event, TransportCounters counters) {
        NodeInfo node = registry.node(nodeId);
        long[] last = seen.compute(nodeId, (k, v) -> v == null || v[0] != event.epoch()
                ? new long[] {event.epoch(), 0} : v);
        pendingAcks.put(nodeId, new Message.EventAck(event.epoch(), Math.max(last[1], event.seq())));
        if (event.seq() <= last[1]) {
            counters.increment("droppedDuplicateEvents"); // sent again after a reconnection
            return;
        }
        last[1] = event.seq();
        if (installed.test(event.program())) {
            logs.append(event.program(), event.level() + " on " + (node == null ? "?" : node.name()), event.text());
        } else {
            counters.increment("droppedEventsOfUnknownPrograms");
        }
    }

    /** Sends each node that sent events since the last tick one acknowledgement of the newest. */
    void acknowledge(Wire wire) {
        for (String nodeId : List.copyOf(pendingAcks.keySet())) {
            Message.EventAck ack = pendingAcks.remove(nodeId);
            String routingId = registry.routingIdOf(nodeId);
            if (ack != null && routingId != null) {
                wire.send(routingId, ack);
            }
        }
    }
}
