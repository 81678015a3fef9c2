package sdm.slave.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;
import sdm.transport.zmq.Post;

/**
 * The master as a slave's {@link JsBridge} sees it: answers export calls as the demo program's
 * JavaScript would ({@link #answer}), or leaves them to the test ({@link #answering} false), and
 * acknowledges posts on a thread of its own, encoding each batch as the link would.
 */
final class FakeMaster implements Consumer<Message>, AutoCloseable {

    final BlockingQueue<Message.ExportCall> calls = new LinkedBlockingQueue<>();
    private final List<Message.Posts> batches = new ArrayList<>();
    private final ExecutorService acker = Executors.newSingleThreadExecutor();
    private final MessageCodec codec = new MessageCodec();
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final AtomicInteger mostUnacknowledged = new AtomicInteger();
    private JsBridge bridge;
    volatile boolean answering = true;
    volatile boolean acknowledging = true;

    void bind(JsBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void accept(Message m) {
        switch (m) {
            case Message.ExportCall c -> {
                calls.add(c);
                if (answering) {
                    Message.ExportResult r = answer(c);
                    if (r != null) {
                        bridge.onResult(r);
                    }
                }
            }
            case Message.Posts p -> {
                synchronized (batches) {
                    batches.add(p);
                }
                mostUnacknowledged.accumulateAndGet(unacknowledged.incrementAndGet(), Math::max);
                if (acknowledging) {
                    acker.execute(() -> {
                        codec.encode(p);
                        unacknowledged.decrementAndGet();
                        bridge.onPostAck(new Message.PostAck(p.epoch(), p.posts().getLast().seq()));
                    });
                }
            }
            default -> {
            }
        }
    }

    /** What the demo's exports answer; null for {@code slow}, which never does. */
    static Message.ExportResult answer(Message.ExportCall c) {
        List<Object> a = c.args();
        if (c.function().equals("slow")) {
            return null;
        }
        if (c.function().equals("fails")) {
            return new Message.ExportResult(c.callId(), SdmCodes.EFAILED, null, "fails() threw: boom");
        }
        Object value = switch (c.function()) {
            case "add" -> (Integer) a.get(0) + (Integer) a.get(1);
            case "big" -> 5_000_000_000L;
            case "ratio" -> (Double) a.get(0) / 2;
            case "yes" -> true;
            case "greet" -> "héllo " + a.get(0);
            default -> null; // nothing, and the void exports
        };
        return new Message.ExportResult(c.callId(), SdmCodes.OK, value, "");
    }

    List<Message.Posts> batches() {
        synchronized (batches) {
            return new ArrayList<>(batches);
        }
    }

    List<Post> posts() {
        return batches().stream().flatMap(b -> b.posts().stream()).toList();
    }

    /** The most batches it had received and not yet acknowledged at any time. */
    int mostUnacknowledged() {
        return mostUnacknowledged.get();
    }

    @Override
    public void close() {
        acker.shutdownNow();
    }
}
