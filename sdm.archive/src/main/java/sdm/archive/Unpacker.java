package sdm.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Unpacks entries straight from the archive's bytes, where {@link CentralDirectory} found them,
 * and counts what comes out against the limits while it comes, stopping at the first byte over
 * one. The compression ratio is taken from the bytes the inflater actually read, never from a
 * size a header declares: a header that claims more compressed bytes than the deflate data
 * holds does not buy a larger allowance.
 */
final class Unpacker {

    private final FileChannel zip;
    private final ArchiveLimits limits;
    private final ByteBuffer input = ByteBuffer.allocate(64 << 10);
    private final byte[] output = new byte[64 << 10];
    private long total;

    Unpacker(FileChannel zip, ArchiveLimits limits) {
        this.zip = zip;
        this.limits = limits;
    }

    /**
     * Unpacks {@code e} into {@code sink} (null: counted only).
     *
     * @param max the most bytes this entry may unpack to, whatever the archive's limits allow
     * @throws ArchiveException one line naming the entry and the limit it passed, or what is
     *                          wrong with its data
     */
    void unpack(CentralDirectory.Entry e, OutputStream sink, long max) throws IOException, ArchiveException {
        Inflater inflater = e.method() == CentralDirectory.DEFLATED ? new Inflater(true) : null;
        try {
            // the inflater reads no more than the entry's bytes in the file: past this bound the
            // entry is over the ratio whatever it has left to read
            long bound = ratioBound(e.packedSize());
            long position = e.dataOffset();
            long end = e.dataOffset() + e.packedSize();
            long unpacked = 0;
            while (true) {
                int n;
                if (inflater == null) {
                    if (position == end) {
                        break;
                    }
                    n = read(position, (int) Math.min(output.length, end - position));
                    input.get(0, output, 0, n);
                    position += n;
                } else {
                    if (inflater.finished()) {
                        break;
                    }
                    if (inflater.needsInput()) {
                        if (position == end) {
                            throw new ArchiveException("entry '" + e.name() + "' ends before its deflate data does");
                        }
                        int r = read(position, (int) Math.min(input.capacity(), end - position));
                        position += r;
                        inflater.setInput(input.array(), 0, r);
                    }
                    long before = inflater.getBytesRead();
                    n = inflate(inflater, e);
                    if (n == 0 && inflater.getBytesRead() == before && !inflater.needsInput() && !inflater.finished()) {
                        throw new ArchiveException("entry '" + e.name() + "' is not valid deflate data");
                    }
                }
                unpacked += n;
                total += n;
                if (total > limits.maxUnpackedBytes()) {
                    throw new ArchiveException("unpacks to over " + limits.maxUnpackedBytes() + " bytes");
                }
                if (unpacked > bound) {
                    throw overRatio(e);
                }
                if (unpacked > max) {
                    throw new ArchiveException(e.name() + " is over " + max + " bytes");
                }
                if (unpacked > e.declaredSize()) {
                    throw new ArchiveException("entry '" + e.name() + "' unpacks to more than the " + e.declaredSize()
                            + " bytes its header declares");
                }
                if (sink != null) {
                    sink.write(output, 0, n);
                }
            }
            long read = inflater == null ? e.packedSize() : inflater.getBytesRead();
            if (unpacked > ratioBound(read)) {
                throw overRatio(e);
            }
            if (unpacked != e.declaredSize()) {
                throw new ArchiveException("entry '" + e.name() + "' unpacks to " + unpacked + " bytes, not the "
                        + e.declaredSize() + " its header declares");
            }
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** The most an entry may unpack to from {@code packed} compressed bytes. */
    private long ratioBound(long packed) {
        return Math.max(limits.ratioFloorBytes(), limits.maxRatio() * Math.max(1, packed));
    }

    private ArchiveException overRatio(CentralDirectory.Entry e) {
        return new ArchiveException("entry '" + e.name() + "' unpacks more than " + limits.maxRatio() + ":1 (a zip bomb?)");
    }

    private int inflate(Inflater inflater, CentralDirectory.Entry e) throws ArchiveException {
        try {
            int n = inflater.inflate(output);
            if (n == 0 && inflater.needsDictionary()) {
                throw new ArchiveException("entry '" + e.name() + "' is not valid deflate data (it needs a dictionary)");
            }
            return n;
        } catch (DataFormatException x) {
            throw new ArchiveException("entry '" + e.name() + "' is not valid deflate data (" + x.getMessage() + ")");
        }
    }

    /** Fills {@code input} from the start with {@code length} bytes at {@code position}. */
    private int read(long position, int length) throws IOException {
        input.clear().limit(length);
        while (input.hasRemaining()) {
            if (zip.read(input, position + input.position()) < 0) {
                throw new java.io.EOFException("the file ends at " + (position + input.position()));
            }
        }
        return length;
    }
}
