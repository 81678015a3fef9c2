package sdm.transport.zmq;

/**
 * A master that answers "not the leader" naming itself was elected and starts to serve in a
 * moment; one that goes on answering so cannot serve (it hands the leadership over), and whoever
 * dials it moves on to another master. This counts those answers in a row, up to a patience.
 */
final class SelfNamedLeader {

    private final int patience;
    private int inARow;

    SelfNamedLeader(int patience) {
        this.patience = patience;
    }

    /**
     * Whether to dial {@code address} again, which named {@code leader}: it named itself, and
     * not more than the patience in a row. Any other answer, or one too many, starts the count
     * again.
     */
    boolean dialAgain(String address, String leader) {
        if (leader.equals(address) && ++inARow <= patience) {
            return true;
        }
        inARow = 0;
        return false;
    }

    /** Another master answered, or the one dialed served: the count starts again. */
    void reset() {
        inARow = 0;
    }
}
