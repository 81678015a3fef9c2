package sdm.slave.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

import sdm.api.node.Sha256;
import sdm.transport.zmq.Message;

/**
 * Fetches the bundles this node lacks from the master, in chunks with a bounded credit, into
 * {@code SHA256.part} files, hashing the chunks as they are written; a bundle whose digest checks
 * out becomes {@code SHA256.jar}. A
 * transfer survives disconnections: on a new session it asks again for what is missing, and
 * one that makes no progress for a while asks again too. Used from the agent's thread only.
 */
final class Fetcher {

    static final int CHUNK = 256 << 10;
    /** Chunks asked for and not yet received, per transfer: at most CREDIT x CHUNK bytes in flight. */
    static final int CREDIT = 8;
    /** No chunk for this long: ask again for what is missing (a slow link may see a few twice). */
    private static final long STALL_MS = 15_000;
    private static final Logger LOG = Logger.getLogger("sdm.slave");

    /** What the agent hears from the fetcher. */
    interface Listener {
        /** A bundle arrived whole and checked: its jar is there now. */
        void arrived(String sha256);

        /** Chunks keep coming: at most once a second per transfer. */
        void progressed();
    }

    private final class Transfer {
        final String sha256;
        final long size;
        final Path part;
        final FileChannel channel;
        final BitSet received = new BitSet();
        final int chunks;
        int cursor;
        int outstanding;
        long lastProgressMs = System.currentTimeMillis();
        long lastReportMs = System.currentTimeMillis();
        /** The digest of the chunks written so far in order, and those that came ahead of a missing one. */
        private final MessageDigest digest = Sha256.digest();
        private int hashed;
        private Map<Integer, byte[]> ahead = new HashMap<>();

        Transfer(String sha256, long size) throws IOException {
            this.sha256 = sha256;
            this.size = size;
            this.part = dir.resolve(sha256 + ".part");
            this.channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
        }

        void requestMore() {
            while (outstanding < CREDIT) {
                int next = received.nextClearBit(cursor);
                if (next >= chunks) {
                    return;
                }
                cursor = next + 1;
                outstanding++;
                long offset = (long) next * CHUNK;
                toMaster.accept(new Message.Fetch(sha256, offset, (int) Math.min(CHUNK, size - offset)));
            }
        }

        /**
         * Hashes the bundle as its chunks are written, in order; chunks that come ahead of a missing
         * one wait, a few at most: past that, the file is hashed whole once complete.
         */
        void hash(int index, byte[] data) {
            if (ahead == null) {
                return;
            }
            if (index != hashed) {
                ahead.put(index, data);
                if (ahead.size() > 2 * CREDIT) {
                    ahead = null;
                }
                return;
            }
            digest.update(data);
            hashed++;
            for (byte[] next; (next = ahead.remove(hashed)) != null; hashed++) {
                digest.update(next);
            }
        }

        /** The digest of the whole file: hashed as it came, or read back if it came too far out of order. */
        String sha256() throws IOException {
            return ahead != null && hashed == chunks ? Sha256.hex(digest)
                    : Sha256.ofFile(part);
        }

        /** Asks again for whatever is missing, from the start. */
        void restart() {
            cursor = 0;
            outstanding = 0;
            lastProgressMs = System.currentTimeMillis();
        }

        void cancel() {
            close();
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warning("cannot delete " + part + ": " + e.getMessage());
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to write to it
            }
        }
    }

    private final Path dir;
    private final Consumer<Message> toMaster;
    private final Listener listener;
    private final Map<String, Transfer> transfers = new HashMap<>();
    private boolean connected;

    Fetcher(Path dir, Consumer<Message> toMaster, Listener listener) {
        this.dir = dir;
        this.toMaster = toMaster;
        this.listener = listener;
    }

    /** Where a bundle is kept once it has arrived. */
    Path jar(String sha256) {
        return dir.resolve(sha256 + ".jar");
    }

    /**
     * The location to install an arrived bundle at: Felix reads the file where it is instead of
     * copying it into its cache. The file stays while a bundle of it is installed (the agent
     * keeps installed bundles' digests in {@link #deleteUnused}), and the cache starts empty at
     * every start of the slave, so no bundle outlives its file.
     */
    String location(String sha256) {
        return "reference:file:" + jar(sha256).toAbsolutePath().toUri().getRawPath();
    }

    boolean fetching(String sha256) {
        return transfers.containsKey(sha256);
    }

    /** How far a transfer is, as a report says it: "fetching: 42% of 1000 bytes". */
    String progress(String sha256) {
        Transfer t = transfers.get(sha256);
        long have = Math.min(t.size, (long) t.received.cardinality() * CHUNK);
        return "fetching: " + have * 100 / t.size + "% of " + t.size + " bytes";
    }

    /** Starts fetching a program's bundle, or goes on with it. */
    void fetch(Message.DesiredProgram d) {
        Transfer t = transfers.get(d.sha256());
        if (t == null) {
            try {
                t = new Transfer(d.sha256(), d.size());
            } catch (IOException e) {
                LOG.warning("cannot receive " + d.name() + ": " + e.getMessage());
                return;
            }
            transfers.put(d.sha256(), t);
            LOG.info("fetching " + d.name() + " " + d.version() + " (" + d.size() + " bytes)");
        }
        if (connected) {
            t.requestMore();
        }
    }

    /** Drops the transfers of bundles no longer wanted. */
    void retain(Set<String> sha256s) {
        for (String sha : new ArrayList<>(transfers.keySet())) {
            if (!sha256s.contains(sha)) {
                transfers.remove(sha).cancel();
            }
        }
    }

    /** A new session (even on the same socket, to a restarted master): what was asked before it is lost. */
    void connected() {
        connected = true;
        transfers.values().forEach(t -> {
            t.restart();
            t.requestMore();
        });
    }

    void disconnected() {
        connected = false;
        transfers.values().forEach(Transfer::restart);
    }

    void receive(Message.Chunk c) {
        Transfer t = transfers.get(c.sha256());
        if (t == null || c.size() != t.size || c.offset() % CHUNK != 0) {
            return;
        }
        int index = (int) (c.offset() / CHUNK);
        long expected = Math.min(CHUNK, t.size - c.offset());
        if (c.data().length != expected) {
            return;
        }
        if (t.received.get(index)) {
            // asked twice after a stall on a slow link: still a sign that bytes are flowing
            t.lastProgressMs = System.currentTimeMillis();
            return;
        }
        // the next one is asked for first: the master reads and sends it while this one is written and hashed
        t.outstanding = Math.max(0, t.outstanding - 1);
        if (connected) {
            t.requestMore();
        }
        try {
            ByteBuffer data = ByteBuffer.wrap(c.data());
            while (data.hasRemaining()) {
                t.channel.write(data, c.offset() + data.position());
            }
        } catch (IOException e) {
            LOG.warning("cannot write " + t.part + ": " + e.getMessage());
            transfers.remove(t.sha256).cancel();
            return;
        }
        t.received.set(index);
        t.hash(index, c.data());
        long now = System.currentTimeMillis();
        if (now - t.lastReportMs >= 1_000) {
            t.lastReportMs = now;
            listener.progressed();
        }
        t.lastProgressMs = now;
        if (t.received.cardinality() == t.chunks) {
            complete(t);
        }
    }

    private void complete(Transfer t) {
        transfers.remove(t.sha256);
        try {
            t.channel.force(true);
            t.close();
            String actual = t.sha256();
            if (!actual.equals(t.sha256)) {
                LOG.warning("bundle " + t.sha256 + " arrived with digest " + actual + "; fetching it again");
                Files.deleteIfExists(t.part);
                return;
            }
            try {
                Files.move(t.part, jar(t.sha256), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(t.part, jar(t.sha256), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warning("cannot keep bundle " + t.sha256 + ": " + e.getMessage());
            t.cancel();
            return;
        }
        listener.arrived(t.sha256);
    }

    /** Every second: a transfer that made no progress for a while asks again for what is missing. */
    void checkStalls() {
        long now = System.currentTimeMillis();
        for (Transfer t : transfers.values()) {
            if (connected && now - t.lastProgressMs > STALL_MS) {
                LOG.info("transfer of " + t.sha256 + " stalled; asking again");
                t.restart();
                t.requestMore();
            }
        }
    }

    /** Deletes the jars not in {@code keep}, and the parts of transfers no longer under way. */
    void deleteUnused(Set<String> keep) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                boolean jar = n.endsWith(".jar") && !keep.contains(n.substring(0, n.length() - 4));
                boolean part = n.endsWith(".part") && !fetching(n.substring(0, n.length() - 5));
                if (jar || part) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot clean " + dir + ": " + e.getMessage());
        }
    }

    void close() {
        transfers.values().forEach(Transfer::close);
    }
}
