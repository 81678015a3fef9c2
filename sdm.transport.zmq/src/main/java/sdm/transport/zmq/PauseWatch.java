package sdm.transport.zmq;

/**
 * Tells the turns of a loop that runs at least once a period from a turn that came after this
 * process did not run (frozen with SIGSTOP, a suspended host, a long stop of the JVM): time the
 * process was away is no peer's silence. The loop's thread only.
 */
final class PauseWatch {

    /** Beyond its period a turn may be late by this much, or by a period if that is longer, before it counts as a pause. */
    static final long SLACK_MS = 1_000;

    private long lastTurnMs = -1;

    /** How long before {@code nowMs} the process did not run, if the gap since the last turn says it was paused; else 0. */
    long pausedMs(long nowMs, long periodMs) {
        long gap = lastTurnMs < 0 ? 0 : nowMs - lastTurnMs;
        lastTurnMs = nowMs;
        return gap > periodMs + Math.max(SLACK_MS, periodMs) ? gap : 0;
    }
}
