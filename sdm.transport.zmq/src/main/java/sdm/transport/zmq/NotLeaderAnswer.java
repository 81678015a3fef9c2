package sdm.transport.zmq;

/** The master asked does not lead the machine; {@link #leader()} does, if it is known (else empty). */
public final class NotLeaderAnswer extends TransportException {

    private static final long serialVersionUID = 1L;
    private final String leader;

    public NotLeaderAnswer(String address, String leader) {
        super("master at " + address + " does not lead" + (leader.isEmpty() ? ", and no leader is known now"
                : "; " + leader + " does"));
        this.leader = leader;
    }

    public String leader() {
        return leader;
    }
}
