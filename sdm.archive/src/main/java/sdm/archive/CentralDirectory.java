package sdm.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a zip file, read by hand because the JDK does not show what a
 * validator needs: the Unix mode of each entry (symlinks) and every name, duplicates included.
 * Zip64 archives are refused: SDM's limits keep programs far below where zip64 is needed.
 */
final class CentralDirectory {

    /** One entry as the central directory declares it; sizes are claims, checked on reading. */
    record Entry(String name, long packedSize, long declaredSize, int unixMode) {
        boolean isSymlink() {
            return (unixMode & 0170000) == 0120000;
        }

        boolean isDirectory() {
            return name.endsWith("/");
        }
    }

    private static final int EOCD = 0x06054b50;
    private static final int CEN = 0x02014b50;
    private static final int MAX_COMMENT = 0xffff;

    private CentralDirectory() {
    }

    static List<Entry> read(FileChannel zip, int maxEntries) throws IOException, ArchiveException {
        long size = zip.size();
        int tail = (int) Math.min(size, 22 + MAX_COMMENT);
        ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
        zip.read(end, size - tail);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new ArchiveException("not a zip file (no end of central directory)");
        }
        int count = Short.toUnsignedInt(end.getShort(at + 10));
        long cenSize = Integer.toUnsignedLong(end.getInt(at + 12));
        long cenOffset = Integer.toUnsignedLong(end.getInt(at + 16));
        if (count == 0xffff || cenOffset == 0xffffffffL) {
            throw new ArchiveException("zip64 archives are not supported");
        }
        if (count > maxEntries) {
            throw new ArchiveException("holds " + count + " entries, over the limit of " + maxEntries);
        }
        if (cenOffset + cenSize > size || cenSize > 64L << 20) {
            throw new ArchiveException("its central directory is corrupt");
        }
        ByteBuffer cen = ByteBuffer.allocate((int) cenSize).order(ByteOrder.LITTLE_ENDIAN);
        zip.read(cen, cenOffset);
        List<Entry> entries = new ArrayList<>(count);
        int p = 0;
        for (int i = 0; i < count; i++) {
            if (p + 46 > cenSize || cen.getInt(p) != CEN) {
                throw new ArchiveException("its central directory is corrupt");
            }
            int madeBy = Short.toUnsignedInt(cen.getShort(p + 4)) >>> 8;
            long packed = Integer.toUnsignedLong(cen.getInt(p + 20));
            long unpacked = Integer.toUnsignedLong(cen.getInt(p + 24));
            int nameLength = Short.toUnsignedInt(cen.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(cen.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(cen.getShort(p + 32));
            long external = Integer.toUnsignedLong(cen.getInt(p + 38));
            if (p + 46 + nameLength > cenSize) {
                throw new ArchiveException("its central directory is corrupt");
            }
            byte[] name = new byte[nameLength];
            cen.get(p + 46, name);
            // made by Unix (3): the high half of the external attributes is the mode
            int mode = madeBy == 3 ? (int) (external >>> 16) : 0;
            entries.add(new Entry(new String(name, StandardCharsets.UTF_8), packed, unpacked, mode));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return entries;
    }
}
