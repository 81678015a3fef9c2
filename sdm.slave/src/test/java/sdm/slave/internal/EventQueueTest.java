package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import sdm.transport.zmq.Message;

class EventQueueTest {

    private static List<String> texts(List<Message.Event> events) {
        return events.stream().map(Message.Event::text).toList();
    }

    @Test
    void eventsWaitUntilAcknowledgedAndAreSentAgainAfterAReconnection() {
        EventQueue q = new EventQueue(10, 60_000, 7);
        q.raise("p", "error", "one", 1_000);
        q.raise("p", "log", "two", 1_001);
        List<Message.Event> sent = new ArrayList<>();
        q.drain(1_002, sent::add);
        assertThat(texts(sent)).containsExactly("one", "two");
        assertThat(sent).extracting(Message.Event::seq).containsExactly(1L, 2L);
        q.acknowledge(7, 1);
        q.raise("p", "log", "three", 1_003);
        q.resendUnacknowledged(1_004);
        List<Message.Event> again = new ArrayList<>();
        q.drain(1_005, again::add);
        assertThat(texts(again)).as("the unacknowledged first, in order").containsExactly("two", "three");
        q.acknowledge(6, 3);
        assertThat(q.size()).as("an acknowledgement of another run changes nothing").isEqualTo(2);
        q.acknowledge(7, 3);
        assertThat(q.size()).isZero();
        assertThat(q.counters()).containsEntry("eventsSent", 3L).containsEntry("eventsRaised", 3L);
    }

    @Test
    void theOldestGoFirstWhenFullAndExpiredOnesAreCountedNotSent() {
        EventQueue q = new EventQueue(3, 1_000, 1);
        for (int i = 0; i < 5; i++) {
            q.raise("p", "error", "e" + i, 10_000 + i);
        }
        List<Message.Event> sent = new ArrayList<>();
        q.drain(10_500, sent::add);
        assertThat(texts(sent)).containsExactly("e2", "e3", "e4");
        assertThat(q.counters()).containsEntry("eventsOverflowed", 2L);

        EventQueue late = new EventQueue(10, 1_000, 1);
        late.raise("p", "error", "old", 1_000);
        List<Message.Event> none = new ArrayList<>();
        late.drain(2_000, none::add);
        assertThat(none).isEmpty();
        assertThat(late.counters()).containsEntry("eventsExpired", 1L).containsEntry("eventsWaiting", 0L);
    }

    @Test
    void noMoreThanTheWindowIsInFlightUntilAcknowledged() {
        EventQueue q = new EventQueue(1_000, 60_000, 1);
        for (int i = 0; i < 150; i++) {
            q.raise("p", "log", "e" + i, 1_000);
        }
        List<Message.Event> sent = new ArrayList<>();
        q.drain(1_001, sent::add);
        q.drain(1_002, sent::add);
        assertThat(sent).hasSize(EventQueue.IN_FLIGHT);
        q.acknowledge(1, 10);
        q.drain(1_003, sent::add);
        assertThat(sent).hasSize(EventQueue.IN_FLIGHT + 10);
        assertThat(sent).extracting(Message.Event::seq).isSorted().doesNotHaveDuplicates();
        assertThat(q.size()).isEqualTo(150 - 10);
        sent.clear();
        q.drain(61_000, sent::add);
        assertThat(sent).as("expired unacknowledged, and expired waiting: nothing left").isEmpty();
        assertThat(q.counters()).containsEntry("eventsExpired", 140L).containsEntry("eventsWaiting", 0L);

        EventQueue stalled = new EventQueue(1_000, 1_000, 1);
        for (int i = 0; i < 100; i++) {
            stalled.raise("p", "log", "e" + i, i < EventQueue.IN_FLIGHT ? 1_000 : 1_900);
        }
        sent.clear();
        stalled.drain(1_001, sent::add);
        stalled.drain(2_500, sent::add);
        assertThat(sent).as("a window of expired events, never acknowledged, does not hold the rest back")
                .hasSize(100);
    }
}
