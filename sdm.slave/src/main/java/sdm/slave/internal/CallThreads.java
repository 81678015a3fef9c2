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

    /** A call thread's slot: one thread-local for every pool, as a thread belongs to one. */
    private static final ThreadLocal<Integer> SLOT = new ThreadLocal<>();
    /** How deep the calling thread is in hooks of libraries that SDM calls ({@code sdm_set_js}). */
    private static final ThreadLocal<int[]> HOOKS = ThreadLocal.withInitial(() -> new int[1]);

    private final BitSet inUse = new BitSet();

    @Override
    public Thread newThread(Runnable r) {
        return newThread(r, "");
    }

    /**
     * Threads of another job that may run short calls too (the link's): call threads whose
     * names add {@code -job} after the slot.
     */
    ThreadFactory named(String job) {
        return r -> newThread(r, "-" + job);
    }

    private Thread newThread(Runnable r, String suffix) {
        int index = take();
        return Thread.ofPlatform().name(PREFIX + index + suffix).daemon().unstarted(() -> {
            SLOT.set(index % CrashMarks.AGENT_SLOT);
            try {
                r.run();
            } finally {
                release(index);
            }
        });
    }

    /** Whether the calling thread is a call thread, with a crash-mark slot of its own. */
    static boolean isCallThread() {
        return SLOT.get() != null;
    }

    /** The crash-mark slot of the calling thread (0 for a thread that is not a call thread). */
    int slot() {
        Integer s = SLOT.get();
        return s == null ? 0 : s;
    }

    /**
     * Whether the calling thread runs C code that SDM called: it is a call thread, or it is
     * inside a library's hook (between {@link #enterHook} and {@link #leaveHook}).
     */
    static boolean insideSdmCall() {
        return SLOT.get() != null || HOOKS.get()[0] > 0;
    }

    static void enterHook() {
        HOOKS.get()[0]++;
    }

    static void leaveHook() {
        HOOKS.get()[0]--;
    }

    /** The slot in a call thread's name, or -1 for a thread that is not one. */
    static int slotOf(String threadName) {
        if (!threadName.startsWith(PREFIX)) {
            return -1;
        }
        int end = PREFIX.length();
        while (end < threadName.length() && end - PREFIX.length() < 9 && threadName.charAt(end) >= '0'
                && threadName.charAt(end) <= '9') {
            end++;
        }
        boolean suffixOk = end == threadName.length() || threadName.charAt(end) == '-';
        return end == PREFIX.length() || !suffixOk ? -1 : Integer.parseInt(threadName.substring(PREFIX.length(), end));
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
