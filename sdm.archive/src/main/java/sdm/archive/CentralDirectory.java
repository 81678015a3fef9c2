package sdm.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The central directory of a zip file, read by hand because the JDK does not show what a
 * validator needs: the Unix mode of each entry (symlinks) and every name, duplicates included.
 * <p>
 * It is read so that the entries found are exactly those {@link java.util.zip.ZipFile} finds,
 * which reads the last end record of the file and then every central header within the
 * directory's declared size, whatever count the end record declares, and which places the
 * directory before the end record rather than at its declared offset. Anything that would let
 * the two readings differ is refused: bytes after the end record, an end record whose count or
 * offset disagrees with the headers, bytes in the directory that are not headers, a local
 * header that names another file, entries whose bytes overlap or run into the directory.
 * Zip64 archives are refused: SDM's limits keep programs far below where zip64 is needed.
 */
final class CentralDirectory {

    /**
     * One entry as the central directory declares it; sizes are claims, checked on reading.
     *
     * @param method       0 (stored) or 8 (deflated)
     * @param packedSize   bytes of the entry's data in the file, from {@code dataOffset}
     * @param declaredSize what the data should unpack to
     * @param dataOffset   where the data starts, after the local header
     */
    record Entry(String name, int method, long packedSize, long declaredSize, int unixMode, long headerOffset,
            long dataOffset) {
        boolean isSymlink() {
            return (unixMode & 0170000) == 0120000;
        }

        boolean isDirectory() {
            return name.endsWith("/");
        }
    }

    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int EOCD = 0x06054b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int EOCD_SIZE = 22;
    private static final int CEN_SIZE = 46;
    private static final int LOC_SIZE = 30;
    private static final int MAX_COMMENT = 0xffff;
    private static final long MAX_DIRECTORY_BYTES = 64L << 20;

    private CentralDirectory() {
    }

    static List<Entry> read(FileChannel zip, int maxEntries) throws IOException, ArchiveException {
        long size = zip.size();
        int tail = (int) Math.min(size, EOCD_SIZE + MAX_COMMENT);
        ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
        readFully(zip, end, size - tail);
        // the last signature, as the JDK's first candidate is the last one too
        int at = -1;
        for (int i = tail - EOCD_SIZE; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new ArchiveException("not a zip file (no end of central directory)");
        }
        long eocd = size - tail + at;
        int comment = Short.toUnsignedInt(end.getShort(at + 20));
        long after = size - eocd - EOCD_SIZE - comment;
        if (after > 0) {
            throw new ArchiveException("has " + after + " bytes after its end of central directory");
        }
        if (after < 0) {
            throw new ArchiveException("its end of central directory declares a comment longer than the file");
        }
        int diskEntries = Short.toUnsignedInt(end.getShort(at + 8));
        int count = Short.toUnsignedInt(end.getShort(at + 10));
        long cenSize = Integer.toUnsignedLong(end.getInt(at + 12));
        long cenOffset = Integer.toUnsignedLong(end.getInt(at + 16));
        if (count == 0xffff || cenSize == 0xffffffffL || cenOffset == 0xffffffffL || isZip64Locator(zip, eocd)) {
            throw new ArchiveException("zip64 archives are not supported");
        }
        if (end.getShort(at + 4) != 0 || end.getShort(at + 6) != 0 || diskEntries != count) {
            throw new ArchiveException("is a zip file split over several disks");
        }
        if (count > maxEntries) {
            throw new ArchiveException("holds " + count + " entries, over the limit of " + maxEntries);
        }
        if (cenOffset + cenSize != eocd) {
            throw new ArchiveException("its central directory (" + cenSize + " bytes at offset " + cenOffset
                    + ") does not end where its end record begins (offset " + eocd + ")");
        }
        if (cenSize > MAX_DIRECTORY_BYTES) {
            throw new ArchiveException("its central directory is over " + MAX_DIRECTORY_BYTES + " bytes");
        }
        ByteBuffer cen = ByteBuffer.allocate((int) cenSize).order(ByteOrder.LITTLE_ENDIAN);
        readFully(zip, cen, cenOffset);
        int headers = countHeaders(cen);
        if (headers != count) {
            throw new ArchiveException("its end record declares " + count + " entries but its central directory holds "
                    + headers);
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int p = 0; p < cenSize; p += headerLength(cen, p)) {
            entries.add(entry(zip, cen, p, cenOffset));
        }
        checkNoOverlap(entries);
        return entries;
    }

    /**
     * The central headers that fill {@code cen} from start to end, as the JDK walks them.
     *
     * @throws ArchiveException if bytes that are not a whole header stand among them or after them
     */
    private static int countHeaders(ByteBuffer cen) throws ArchiveException {
        int count = 0;
        int p = 0;
        while (p < cen.limit()) {
            if (p + CEN_SIZE > cen.limit() || cen.getInt(p) != CEN) {
                throw new ArchiveException("its central directory holds " + (cen.limit() - p) + " bytes at offset " + p
                        + " that are not a central header");
            }
            int length = headerLength(cen, p);
            if (p + length > cen.limit()) {
                throw new ArchiveException("its central directory ends inside the header of its entry " + (count + 1));
            }
            p += length;
            count++;
        }
        return count;
    }

    /** The fixed part, name, extra field and comment of the central header at {@code p}. */
    private static int headerLength(ByteBuffer cen, int p) {
        return CEN_SIZE + Short.toUnsignedInt(cen.getShort(p + 28)) + Short.toUnsignedInt(cen.getShort(p + 30))
                + Short.toUnsignedInt(cen.getShort(p + 32));
    }

    /** The entry of the central header at {@code p}, after reading its local header. */
    private static Entry entry(FileChannel zip, ByteBuffer cen, int p, long cenOffset)
            throws IOException, ArchiveException {
        int madeBy = Short.toUnsignedInt(cen.getShort(p + 4)) >>> 8;
        int flags = Short.toUnsignedInt(cen.getShort(p + 8));
        int method = Short.toUnsignedInt(cen.getShort(p + 10));
        long packed = Integer.toUnsignedLong(cen.getInt(p + 20));
        long unpacked = Integer.toUnsignedLong(cen.getInt(p + 24));
        int nameLength = Short.toUnsignedInt(cen.getShort(p + 28));
        long external = Integer.toUnsignedLong(cen.getInt(p + 38));
        long offset = Integer.toUnsignedLong(cen.getInt(p + 42));
        byte[] rawName = new byte[nameLength];
        cen.get(p + CEN_SIZE, rawName);
        String name = new String(rawName, StandardCharsets.UTF_8);
        if (packed == 0xffffffffL || unpacked == 0xffffffffL || offset == 0xffffffffL) {
            throw new ArchiveException("entry '" + name + "' is a zip64 entry, which is not supported");
        }
        if ((flags & 1) != 0) {
            throw new ArchiveException("entry '" + name + "' is encrypted");
        }
        if (method != STORED && method != DEFLATED) {
            throw new ArchiveException("entry '" + name + "' is compressed with method " + method
                    + " (only stored and deflated entries can be read)");
        }
        if (offset + LOC_SIZE + nameLength > cenOffset) {
            throw new ArchiveException("entry '" + name + "' has its local header inside the central directory");
        }
        ByteBuffer loc = ByteBuffer.allocate(LOC_SIZE + nameLength).order(ByteOrder.LITTLE_ENDIAN);
        readFully(zip, loc, offset);
        byte[] localName = new byte[nameLength];
        loc.get(LOC_SIZE, localName);
        if (loc.getInt(0) != LOC || Short.toUnsignedInt(loc.getShort(26)) != nameLength
                || !java.util.Arrays.equals(localName, rawName)) {
            throw new ArchiveException("entry '" + name + "' has no local header of that name at offset " + offset);
        }
        long data = offset + LOC_SIZE + nameLength + Short.toUnsignedInt(loc.getShort(28));
        if (data + packed > cenOffset) {
            throw new ArchiveException("entry '" + name + "' runs into the central directory");
        }
        // made by Unix (3): the high half of the external attributes is the mode
        int mode = madeBy == 3 ? (int) (external >>> 16) : 0;
        return new Entry(name, method, packed, unpacked, mode, offset, data);
    }

    /** No byte of the file belongs to two entries: each entry's data ends before the next local header. */
    private static void checkNoOverlap(List<Entry> entries) throws ArchiveException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::headerOffset));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry before = byOffset.get(i - 1);
            Entry after = byOffset.get(i);
            if (before.dataOffset() + before.packedSize() > after.headerOffset()) {
                throw new ArchiveException("entries '" + before.name() + "' and '" + after.name() + "' overlap");
            }
        }
    }

    /** Whether a zip64 end locator stands before the end record, which the JDK would follow. */
    private static boolean isZip64Locator(FileChannel zip, long eocd) throws IOException {
        if (eocd < 20) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        readFully(zip, b, eocd - 20);
        return b.getInt(0) == ZIP64_LOCATOR;
    }

    private static void readFully(FileChannel zip, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (zip.read(into, position + into.position()) < 0) {
                throw new java.io.EOFException("the file ends at " + (position + into.position()));
            }
        }
    }
}
