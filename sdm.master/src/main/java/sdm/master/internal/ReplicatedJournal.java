package sdm.master.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import sdm.api.node.ErrorLine;
import sdm.api.replication.NotLeaderException;
import sdm.api.replication.ReplicatedLog;

/**
 * The journal of a replicated master: a change is appended to the masters' log and counts once
 * a majority holds it and this master applied it (through {@link MachineState}). Bundles travel
 * in the log too, in chunks, so a follower has every byte that a later change names.
 */
final class ReplicatedJournal implements Journal {

    /** Well under a log segment (1 MiB): a 16 MiB bundle is 64 entries. */
    static final int CHUNK_BYTES = 256 << 10;
    /** How long a change waits for a majority before the command gives up on it. */
    static final long COMMIT_TIMEOUT_MS = 10_000;
    /**
     * A change that some masters may hold already can still be committed by the next leader:
     * the refusal says so, as a timeout of the operation would.
     */
    static final String MAY_TAKE_EFFECT = "; it may still take effect (sdm:apps shows whether it did)";

    private volatile ReplicatedLog log;

    void log(ReplicatedLog l) {
        log = l;
    }

    @Override
    public void commit(StateChange change) throws IOException {
        await(List.of(append(change)), "the change " + change.getClass().getSimpleName());
    }

    /**
     * Appends the bundle's chunks and returns without waiting for them: the change that names the
     * bundle comes after them in the log, so it is committed only once they are, and every master
     * applies them before it. An install waits for one commit, not two.
     */
    @Override
    public void publish(String sha256, Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            long offset = 0;
            do {
                byte[] bytes = in.readNBytes((int) Math.min(CHUNK_BYTES, size - offset));
                if (bytes.length == 0 && size > 0) {
                    throw new IOException(file + " became shorter while it was read");
                }
                append(new StateChange.BundleChunk(sha256, size, offset, bytes));
                offset += bytes.length;
            } while (offset < size);
        }
    }

    private CompletableFuture<Long> append(StateChange change) throws IOException {
        ReplicatedLog l = log;
        if (l == null) {
            throw new IOException("this master's replicated log is not running");
        }
        return l.append(StateChange.Codec.encode(change));
    }

    private static void await(List<CompletableFuture<Long>> pending, String what) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMIT_TIMEOUT_MS);
        for (CompletableFuture<Long> f : pending) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new IOException(cause instanceof NotLeaderException ? "this master stopped leading before "
                        + what + " was committed (" + cause.getMessage() + ")" + MAY_TAKE_EFFECT
                        : what + " was not committed by the masters: " + ErrorLine.of(cause));
            } catch (TimeoutException e) {
                throw new IOException(what + " was not committed by a majority of the masters within "
                        + COMMIT_TIMEOUT_MS / 1000 + " s" + MAY_TAKE_EFFECT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + what + " was committed");
            }
        }
    }
}
