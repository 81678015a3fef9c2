package sdm.slave.internal;

import java.util.BitSet;
import java.util.concurrent.ThreadFactory;

/**
 * The native call threads: each holds a crash-mark slot for its life, and carries it in its
 * name ({@code sdm-call-N}), so that the JVM's crash report, which names the thread that
 * faulted, names the slot and so the call. Two live threads never share a slot.
 */
final class CallThreads implements ThreadFactory {

    /** Call threads are named this and their slot. */
    static final String PREFIX = "sdm-call-";

    private final BitSet inUse = new BitSet();
    private final ThreadLocal<Integer> slot = new ThreadLocal<>();

    @Override
    public Thread newThread(Runnable r) {
        int index = take();
        return Thread.ofPlatform().name(PREFIX + index).daemon().unstarted(() -> {
            slot.set(index % CrashMarks.AGENT_SLOT);
            try {
                r.run();
            } finally {
                release(index);
            }
        });
    }

    /** The crash-mark slot of the calling thread (0 for a thread that is not a call thread). */
    int slot() {
        Integer s = slot.get();
        return s == null ? 0 : s;
    }

    /** The slot in a call thread's name, or -1 for a thread that is not one. */
    static int slotOf(String threadName) {
        if (!threadName.startsWith(PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(threadName.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The lowest slot no live call thread holds. */
    private int take() {
        synchronized (inUse) {
            int index = inUse.nextClearBit(0);
            inUse.set(index);
            return index;
        }
    }

    private void release(int index) {
        synchronized (inUse) {
            inUse.clear(index);
        }
    }
}
