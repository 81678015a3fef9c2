package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import sdm.transport.zmq.Message;
import sdm.transport.zmq.Post;

/** The post queue against a master that only records the batches it is sent, and a clock of the test's. */
class PostQueueTest {

    private final BlockingQueue<Message> sent = new LinkedBlockingQueue<>();
    private final JsCounters counters = new JsCounters();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final PostQueue queue = new PostQueue(7, sent::add, counters, clock::get, 1);

    @AfterEach
    void close() {
        queue.close();
    }

    private void offer(int n, long ttlMs) {
        for (int i = 0; i < n; i++) {
            assertThat(queue.offer("p", "f", List.of(i), 3, ttlMs)).isTrue();
        }
    }

    private Message.Posts next() throws InterruptedException {
        Message m = sent.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a batch within 10 s").isInstanceOf(Message.Posts.class);
        return (Message.Posts) m;
    }

    /** The posts of batches sent until {@code n} have come. */
    private List<Post> posts(int n) throws InterruptedException {
        List<Post> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            out.addAll(next().posts());
        }
        return out;
    }

    @Test
    void postsGoInOrderInBatchesOnceConnected() throws Exception {
        offer(600, 60_000);
        assertThat(sent.poll(100, TimeUnit.MILLISECONDS)).as("nothing while the master is away").isNull();
        queue.onConnected();
        List<Post> got = posts(600);
        assertThat(got).extracting(Post::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 600).boxed().toList());
        assertThat(got).extracting(p -> p.args().get(0)).startsWith(0, 1, 2);
        assertThat(queue.unacknowledgedBatches()).isBetween(3, 600);
        queue.acknowledge(7, 600);
        assertThat(queue.unacknowledgedBatches()).isZero();
        assertThat(counters.get("p", JsCounters.Kind.POSTS_SENT)).isEqualTo(600);
        assertThat(counters.get("p", JsCounters.Kind.POSTS_QUEUED)).isEqualTo(600);
    }

    @Test
    void atMost64BatchesAreUnacknowledged() throws Exception {
        queue.onConnected();
        for (int i = 0; i < PostQueue.WINDOW; i++) {
            offer(1, 60_000);
            assertThat(next().posts()).hasSize(1);
        }
        offer(300, 60_000);
        assertThat(sent.poll(300, TimeUnit.MILLISECONDS)).as("the window is full").isNull();
        queue.acknowledge(7, 1);
        assertThat(next().posts()).as("one batch freed, one batch sent, as large as it may be").hasSize(256);
        assertThat(queue.unacknowledgedBatches()).isEqualTo(PostQueue.WINDOW);
    }

    @Test
    void aFullQueueDropsItsOldestAndCountsThem() {
        offer(PostQueue.CAPACITY + 50, 60_000);
        assertThat(queue.waiting()).isEqualTo(PostQueue.CAPACITY);
        assertThat(counters.get("p", JsCounters.Kind.POSTS_DROPPED)).isEqualTo(50);
    }

    @Test
    void expiredPostsAreDroppedNotSentAndCounted() throws Exception {
        offer(10, 100);
        offer(5, 60_000);
        clock.addAndGet(500);
        queue.onConnected();
        assertThat(posts(5)).extracting(Post::ttlMs).containsOnly(60_000L);
        assertThat(counters.get("p", JsCounters.Kind.POSTS_EXPIRED)).isEqualTo(10);
    }

    @Test
    void whatWasNotAcknowledgedGoesAgainFirstInANewSession() throws Exception {
        queue.onConnected();
        offer(20, 60_000);
        List<Post> first = posts(20);
        queue.acknowledge(7, 5);
        queue.onDisconnected();
        offer(3, 60_000);
        queue.onConnected();
        List<Post> again = posts(18);
        assertThat(again).extracting(Post::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(6, 23).boxed().toList());
        assertThat(again.subList(0, 15)).isEqualTo(first.subList(5, 20));
        queue.acknowledge(6, 23);
        assertThat(queue.unacknowledgedBatches()).as("an acknowledgement of another run changes nothing").isPositive();
    }

    @Test
    void aClosedQueueRefusesPosts() {
        queue.close();
        assertThat(queue.offer("p", "f", List.of(), 2, 1_000)).isFalse();
    }
}
