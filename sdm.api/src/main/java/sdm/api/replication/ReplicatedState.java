package sdm.api.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a replicated log applies its operations to, on every master in the same order. Calls
 * never overlap: an operation, a save and a load each run alone.
 */
public interface ReplicatedState {

    /** Applies one committed operation; {@code index} grows by one from call to call, gaps aside after a load. */
    void apply(long index, byte[] operation);

    /** Writes everything applied so far, for a snapshot that replaces the log up to here. */
    void save(OutputStream out) throws IOException;

    /** Replaces the whole state with a snapshot that {@link #save} wrote (here or on another master). */
    void load(InputStream in) throws IOException;
}
