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
 * Which native code each thread is in, kept in a memory-mapped file: a segfault in C code kills
 * the JVM at once, but the pages it wrote stay in the kernel's page cache, so the next start of
 * the slave can read what was running, and which process it was. Marking costs a few memory
 * writes, no system call.
 * <p>
 * Layout: the process id of the run that wrote it (8 bytes, in a 64-byte header), then one
 * slot per thread: one byte (1 while inside), then {@code program NUL what NUL}. Slot
 * {@link #AGENT_SLOT} belongs to the agent's thread (loading and unloading libraries), the
 * others to the call threads.
 */
final class CrashMarks implements AutoCloseable {

    static final int SLOTS = 32;
    static final int AGENT_SLOT = SLOTS - 1;
    private static final int HEADER = 64;
    private static final int SLOT_BYTES = 256;

    /** Native code that was running when the previous run of this node ended. */
    record Mark(int slot, String program, String what) {
    }

    /** What the previous run left: its process id and its marks. */
    record Previous(long pid, List<Mark> marks) {
    }

    private final FileChannel channel;
    private final MappedByteBuffer map;

    CrashMarks(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        map = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) SLOTS * SLOT_BYTES);
    }

    /** Reads what the previous run left, then clears it and claims the file for this process. */
    Previous takePrevious() {
        long pid = map.getLong(0);
        List<Mark> out = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            int base = HEADER + slot * SLOT_BYTES;
            if (map.get(base) == 1) {
                String[] parts = text(base + 1).split("\0", -1);
                if (parts.length >= 2) {
                    out.add(new Mark(slot, parts[0], parts[1]));
                }
            }
            for (int i = 0; i < SLOT_BYTES; i++) {
                map.put(base + i, (byte) 0);
            }
        }
        map.putLong(0, ProcessHandle.current().pid());
        map.force();
        return new Previous(pid, out);
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

    void enter(int slot, String program, String what) {
        int base = HEADER + slot * SLOT_BYTES;
        byte[] p = program.getBytes(StandardCharsets.UTF_8);
        byte[] f = what.getBytes(StandardCharsets.UTF_8);
        int fl = Math.min(f.length, SLOT_BYTES - 3 - p.length);
        map.put(base + 1, p);
        map.put(base + 1 + p.length, (byte) 0);
        map.put(base + 2 + p.length, f, 0, fl);
        map.put(base + 2 + p.length + fl, (byte) 0);
        map.put(base, (byte) 1);
    }

    void leave(int slot) {
        map.put(HEADER + slot * SLOT_BYTES, (byte) 0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
