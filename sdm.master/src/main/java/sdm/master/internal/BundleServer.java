package sdm.master.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import sdm.api.node.ThrottledLog;
import sdm.transport.zmq.Message;

/**
 * Serves the chunks of program bundles that slaves fetch, off the endpoint thread: one reader
 * thread with a bounded queue, at most {@value #MAX_CHUNK} bytes a chunk, and only bundles that
 * the store or an update under way names.
 */
final class BundleServer implements AutoCloseable {

    /** The largest chunk the master sends for one fetch, whatever was asked. */
    static final int MAX_CHUNK = 256 << 10;
    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final ProgramStore store;
    private final Rollouts rollouts;
    private final ThrottledLog dropLog = new ThrottledLog(LOG, 5, 60_000);
    private final ThreadPoolExecutor io = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(4096), Thread.ofPlatform().name("sdm-bundle-io").daemon().factory(),
            (task, pool) -> dropLog.warn("bundle reads are behind: a fetch was dropped (the slave asks again)"));
    private volatile Wire wire;

    BundleServer(ProgramStore store, Rollouts rollouts) {
        this.store = store;
        this.rollouts = rollouts;
    }

    void connect(Wire endpoint) {
        this.wire = endpoint;
    }

    @Override
    public void close() {
        wire = null;
        io.shutdownNow();
    }

    void onFetch(String routingId, Message.Fetch fetch) {
        if (!store.names(fetch.sha256()) && !rollouts.oldBundles().contains(fetch.sha256())) {
            return;
        }
        io.execute(() -> serve(routingId, fetch));
    }

    private void serve(String routingId, Message.Fetch fetch) {
        Wire w = wire;
        if (w == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(store.bundle(fetch.sha256()), StandardOpenOption.READ)) {
            long size = ch.size();
            if (fetch.offset() >= size) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.min(fetch.length(), MAX_CHUNK),
                    size - fetch.offset()));
            while (buffer.hasRemaining() && ch.read(buffer, fetch.offset() + buffer.position()) > 0) {
                // positional reads may return less than asked
            }
            w.send(routingId, new Message.Chunk(fetch.sha256(), fetch.offset(), size, buffer.array()));
        } catch (IOException e) {
            // the bundle was uninstalled meanwhile: the slave gets a new desired state anyway
        }
    }
}
