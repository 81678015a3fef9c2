package sdm.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Byte surgery on zip files, to make the archives a hostile writer would. */
final class ZipBytes {

    private ZipBytes() {
    }

    /** Writes {@code entries} in order; those named in {@code stored} are not compressed. */
    static Path zip(Path file, Map<String, byte[]> entries, Set<String> stored) throws IOException {
        Files.write(file, zip(entries, stored));
        return file;
    }

    static byte[] zip(Map<String, byte[]> entries, Set<String> stored) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (stored.contains(e.getKey())) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where the end of central directory record starts. */
    static int endRecord(byte[] b) {
        for (int i = b.length - 22; i >= 0; i--) {
            if (le(b).getInt(i) == 0x06054b50) {
                return i;
            }
        }
        throw new IllegalArgumentException("no end record");
    }

    /** Where the central directory starts, as its end record says. */
    static int centralDirectory(byte[] b) {
        return le(b).getInt(endRecord(b) + 16);
    }

    /** Where the central header of {@code name} starts. */
    static int centralHeader(byte[] b, String name) {
        ByteBuffer buf = le(b);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int end = endRecord(b);
        for (int p = centralDirectory(b); p < end;
                p += 46 + buf.getShort(p + 28) + buf.getShort(p + 30) + buf.getShort(p + 32)) {
            if (buf.getShort(p + 28) == n.length && Arrays.equals(b, p + 46, p + 46 + n.length, n, 0, n.length)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no entry " + name);
    }

    /** Where the local header of {@code name} starts, as its central header says. */
    static int localHeader(byte[] b, String name) {
        return le(b).getInt(centralHeader(b, name) + 42);
    }

    /** Where the data of {@code name} starts, after its local header. */
    static int data(byte[] b, String name) {
        int loc = localHeader(b, name);
        return loc + 30 + le(b).getShort(loc + 26) + le(b).getShort(loc + 28);
    }

    /** {@code b} with {@code insert} at {@code at}. */
    static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The names the JDK's own reader finds, in order. */
    static List<String> jdkNames(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.stream().map(ZipEntry::getName).toList();
        }
    }
}
