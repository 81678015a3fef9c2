package sdm.master.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import sdm.api.node.ThrottledLog;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportCounters;

/**
 * Serves the chunks of program bundles that slaves fetch, off the endpoint thread: one reader
 * thread, at most {@value #MAX_CHUNK} bytes a chunk, and only bundles that the store or an update
 * under way names.
 * <p>
 * A fetch is a credit: a connection has at most {@value #CREDIT} fetches in the master's hands
 * (waiting to be read, or read and waiting for the socket), and one past them is refused and
 * counted ({@code fetchesRefused}), not queued; a slave's fetcher keeps 8 a transfer. At most
 * {@value #BUFFERS} chunks are read and not yet handed to the socket, whoever asked: the reader
 * waits for one to go before it reads the next. What a peer then holds in its connection's send
 * queue is bounded by the endpoint (a peer that does not read is cut once the queue is full).
 */
final class BundleServer implements AutoCloseable {

    /** The largest chunk the master sends for one fetch, whatever was asked. */
    static final int MAX_CHUNK = 256 << 10;
    /** Fetches of one connection in the master's hands at once: eight transfers of a slave's fetcher. */
    static final int CREDIT = 64;
    /** Chunks read and not yet handed to the socket, all connections together (16 MiB). */
    static final int BUFFERS = 64;
    private static final Logger LOG = Logger.getLogger("sdm.master");

    /** How chunks leave: {@code handedOver} runs once the socket has taken the message (or refused it). */
    interface ChunkWire {
        void send(String routingId, Message message, Runnable handedOver);
    }

    private final ProgramStore store;
    private final Rollouts rollouts;
    private final ThrottledLog dropLog = new ThrottledLog(LOG, 5, 60_000);
    private final Map<String, Integer> inHands = new ConcurrentHashMap<>();
    private final Semaphore buffers = new Semaphore(BUFFERS);
    private final ThreadPoolExecutor io = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(4096), Thread.ofPlatform().name("sdm-bundle-io").daemon().factory());
    private volatile ChunkWire wire;
    private volatile TransportCounters counters = new TransportCounters();

    BundleServer(ProgramStore store, Rollouts rollouts) {
        this.store = store;
        this.rollouts = rollouts;
    }

    void connect(ChunkWire endpoint, TransportCounters endpointCounters) {
        this.counters = endpointCounters;
        this.wire = endpoint;
    }

    @Override
    public void close() {
        wire = null;
        io.shutdownNow();
    }

    /** On the endpoint's thread. */
    void onFetch(String routingId, Message.Fetch fetch) {
        if (!store.names(fetch.sha256()) && !rollouts.oldBundles().contains(fetch.sha256())) {
            return;
        }
        if (inHands.merge(routingId, 1, Integer::sum) > CREDIT) {
            release(routingId);
            counters.increment(TransportCounters.FETCHES_REFUSED);
            dropLog.warn("refused a fetch: " + CREDIT + " of that connection's are on their way already");
            return;
        }
        try {
            io.execute(() -> serve(routingId, fetch));
        } catch (RejectedExecutionException e) {
            release(routingId);
            counters.increment(TransportCounters.FETCHES_REFUSED);
            dropLog.warn("bundle reads are behind: a fetch was refused (the slave asks again)");
        }
    }

    /** Fetches of a connection in the master's hands now. */
    int inHands(String routingId) {
        return inHands.getOrDefault(routingId, 0);
    }

    private void release(String routingId) {
        inHands.computeIfPresent(routingId, (k, n) -> n <= 1 ? null : n - 1);
    }

    private void serve(String routingId, Message.Fetch fetch) {
        boolean handed = false;
        boolean buffer = false;
        try {
            ChunkWire w = wire;
            if (w == null || !(buffer = buffers.tryAcquire(10, TimeUnit.SECONDS))) {
                return;
            }
            Message.Chunk chunk = read(fetch);
            if (chunk != null) {
                w.send(routingId, chunk, () -> {
                    buffers.release();
                    release(routingId);
                });
                handed = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!handed) {
                if (buffer) {
                    buffers.release();
                }
                release(routingId);
            }
        }
    }

    private Message.Chunk read(Message.Fetch fetch) {
        try (FileChannel ch = FileChannel.open(store.bundle(fetch.sha256()), StandardOpenOption.READ)) {
            long size = ch.size();
            if (fetch.offset() >= size) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.min(fetch.length(), MAX_CHUNK),
                    size - fetch.offset()));
            while (buffer.hasRemaining() && ch.read(buffer, fetch.offset() + buffer.position()) > 0) {
                // positional reads may return less than asked
            }
            return new Message.Chunk(fetch.sha256(), fetch.offset(), size, buffer.array());
        } catch (IOException e) {
            // the bundle was uninstalled meanwhile: the slave gets a new desired state anyway
            return null;
        }
    }
}
