package sdm.master.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * A copy of an archive that only the master can change, so that it is checked and converted from
 * the same bytes; deleted when closed.
 */
record PrivateCopy(Path path) implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PrivateCopy.class.getName());

    /**
     * Copies {@code file} into {@code incoming}.
     *
     * @throws ProgramException one line: no such file, over {@code maxBytes}, or unreadable
     */
    static PrivateCopy of(Path file, Path incoming, long maxBytes) throws ProgramException {
        if (!Files.isRegularFile(file)) {
            throw new ProgramException(file + ": no such file");
        }
        Path copy = incoming.resolve(UUID.randomUUID() + ".jam.zip");
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ProgramException(file.getFileName() + ": is " + size + " bytes, over the limit of "
                        + maxBytes);
            }
            Files.copy(file, copy);
            return new PrivateCopy(copy);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException ignored) {
                // the incoming folder is emptied at the next start
            }
            throw new ProgramException(file.getFileName() + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warning("cannot delete " + path + ": " + e.getMessage());
        }
    }
}
