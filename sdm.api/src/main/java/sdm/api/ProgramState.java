package sdm.api;

import java.util.Locale;

/**
 * Where a program stands on a node. On the wire, in the stores and in the commands' output a
 * state is its lower-case name ({@link #text()}, also {@link #toString()}).
 */
public enum ProgramState {
    /** Its bundle is installed and not started; a desired state. */
    INSTALLED,
    /** Running; a desired state. */
    ACTIVE,
    /** Installed and stopped by the operator; a desired state. */
    STOPPED,
    /** Its install or start failed at the current attempt, or it crashed the node. */
    FAILED,
    /** Selected for the node, which has no library for its platform. */
    UNSUPPORTED,
    /** On its way: being fetched, not reported yet, or the node is offline. */
    PENDING,
    /** Gone from the node: only in what an uninstall answers, never on the wire. */
    REMOVED;

    private final String text = name().toLowerCase(Locale.ROOT);

    /** The state's name as the wire, the stores and the commands spell it. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Whether an operator can ask for this state: installed, active or stopped. */
    public boolean desirable() {
        return this == INSTALLED || this == ACTIVE || this == STOPPED;
    }

    /**
     * The state spelled {@code text}.
     *
     * @throws IllegalArgumentException if no state is spelled so
     */
    public static ProgramState of(String text) {
        for (ProgramState s : values()) {
            if (s.text.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown program state '" + text + "'");
    }
}
