package sdm.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies an entry that a zip file stores uncompressed straight from the file's bytes to a file
 * of its own, with the kernel's file-to-file copy ({@code copy_file_range} on Linux): no bytes
 * pass through the JVM. For a zip whose bytes are trusted already (a bundle checked by its
 * digest): the central directory is read as strictly as an archive's.
 */
public final class StoredEntries {

    private static final int MAX_ENTRIES = 100_000;

    private StoredEntries() {
    }

    /**
     * Copies entry {@code name} of {@code zip} to {@code target} (replaced) if the zip stores it
     * uncompressed; returns false, copying nothing, if it is deflated or not there.
     *
     * @throws IOException with one line if the zip cannot be read or its directory is damaged
     */
    public static boolean copy(Path zip, String name, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(zip, StandardOpenOption.READ)) {
            CentralDirectory.Entry entry = null;
            for (CentralDirectory.Entry e : CentralDirectory.read(in, MAX_ENTRIES)) {
                if (e.name().equals(name)) {
                    entry = e;
                }
            }
            if (entry == null || entry.method() != CentralDirectory.STORED || entry.packedSize() != entry.declaredSize()) {
                return false;
            }
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                long position = entry.dataOffset();
                long left = entry.packedSize();
                while (left > 0) {
                    long n = in.transferTo(position, left, out);
                    if (n <= 0) {
                        throw new IOException(zip.getFileName() + " ends inside entry " + name);
                    }
                    position += n;
                    left -= n;
                }
            }
            return true;
        } catch (ArchiveException e) {
            throw new IOException(zip.getFileName() + ": " + e.getMessage());
        }
    }
}
