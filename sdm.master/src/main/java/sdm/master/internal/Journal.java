package sdm.master.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the master's changes go before they count. A single master applies each at once; the
 * leader of replicated masters has it committed by a majority, and every master applies it in
 * the log's order. Either way, once {@link #commit} returns the change is applied here and
 * survives a crash.
 */
@FunctionalInterface
interface Journal {

    /** @throws IOException if the change is not acknowledged, with one line saying why */
    void commit(StateChange change) throws IOException;

    /**
     * Makes the bundle in {@code file} (its digest {@code sha256}) available to every master
     * before a change names it. A single master has it already.
     */
    default void publish(String sha256, Path file) throws IOException {
    }
}
