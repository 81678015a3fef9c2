package sdm.slave.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Which native call each calling thread is in, kept in a memory-mapped file: a segfault in C
 * code kills the JVM at once, but the pages it wrote stay in the kernel's page cache, so the
 * next start of the slave can read which program and function it died in. Marking a call costs
 * a few memory writes, no system call.
 * <p>
 * Slot layout: one byte (1 while in a call), then {@code program NUL function NUL}.
 */
final class CrashMarks implements AutoCloseable {

    static final int SLOTS = 32;
    private static final int SLOT_BYTES = 256;

    /** A call that was running when the node died. */
    record Crash(String program, String function) {
    }

    private final FileChannel channel;
    private final MappedByteBuffer map;

    CrashMarks(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        map = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) SLOTS * SLOT_BYTES);
    }

    /** The calls that were running when the last run of this node ended, then forgets them. */
    List<Crash> takeCrashes() {
        List<Crash> out = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            int base = slot * SLOT_BYTES;
            if (map.get(base) == 1) {
                String[] parts = text(base + 1).split("\0", -1);
                if (parts.length >= 2) {
                    out.add(new Crash(parts[0], parts[1]));
                }
            }
            for (int i = 0; i < SLOT_BYTES; i++) {
                map.put(base + i, (byte) 0);
            }
        }
        map.force();
        return out;
    }

    private String text(int from) {
        byte[] bytes = new byte[SLOT_BYTES - 1];
        map.get(from, bytes);
        int end = bytes.length;
        int nuls = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0 && ++nuls == 2) {
                end = i;
                break;
            }
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    void enter(int slot, String program, String function) {
        int base = slot * SLOT_BYTES;
        byte[] p = program.getBytes(StandardCharsets.UTF_8);
        byte[] f = function.getBytes(StandardCharsets.UTF_8);
        int fl = Math.min(f.length, SLOT_BYTES - 3 - p.length);
        map.put(base + 1, p);
        map.put(base + 1 + p.length, (byte) 0);
        map.put(base + 2 + p.length, f, 0, fl);
        map.put(base + 2 + p.length + fl, (byte) 0);
        map.put(base, (byte) 1);
    }

    void leave(int slot) {
        map.put(slot * SLOT_BYTES, (byte) 0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
