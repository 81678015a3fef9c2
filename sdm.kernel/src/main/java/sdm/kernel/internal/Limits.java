package sdm.kernel.internal;

import org.osgi.framework.BundleContext;

/**
 * What one program may use. Framework properties {@code sdm.js.*} change the defaults.
 *
 * @param turnMillis     CPU time one turn of the event loop may take (a timer, an event, a result)
 * @param cpuPerMinuteMillis CPU time the program may take in any minute (windows from its first turn)
 * @param timers         timers set at once
 * @param pendingCalls   remote operations waiting at once
 * @param logLines       console lines (and refused calls) per {@code logWindowMillis}
 * @param queuedTurns    turns waiting on the loop at once
 * @param memoryMb       heap the program's context may retain, in MiB
 * @param compilerThreads threads compiling JavaScript, for all programs together
 */
record Limits(long turnMillis, long cpuPerMinuteMillis, int timers, int pendingCalls, int logLines,
        long logWindowMillis, int queuedTurns, int memoryMb, int compilerThreads) {

    static final long MIN_TIMER_MILLIS = 10;

    long memoryBytes() {
        return (long) memoryMb << 20;
    }

    static Limits defaults() {
        return new Limits(1_000, 30_000, 1_000, 1_000, 1_000, 10_000, 10_000, 64, 1);
    }

    static Limits from(BundleContext context) {
        Limits d = defaults();
        return new Limits(prop(context, "sdm.js.turn.ms", d.turnMillis()),
                prop(context, "sdm.js.cpu.minute.ms", d.cpuPerMinuteMillis()),
                (int) prop(context, "sdm.js.timers", d.timers()),
                (int) prop(context, "sdm.js.pending.calls", d.pendingCalls()),
                (int) prop(context, "sdm.js.log.lines", d.logLines()),
                d.logWindowMillis(), (int) prop(context, "sdm.js.queued.turns", d.queuedTurns()),
                (int) prop(context, "sdm.js.memory.mb", d.memoryMb()),
                (int) prop(context, "sdm.js.compiler.threads", d.compilerThreads()));
    }

    private static long prop(BundleContext context, String key, long fallback) {
        String v = context.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive number, got '" + v + "'");
        }
    }
}
