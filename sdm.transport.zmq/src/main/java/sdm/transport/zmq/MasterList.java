package sdm.transport.zmq;

import java.util.ArrayList;
import java.util.List;

/**
 * The masters a slave's link may dial, and which one is next. A single master is the whole
 * list. Of replicated masters, the one that welcomed the slave last is dialed again first; one
 * that is not the leader names the leader (dialed next) or no one (the next in the list is);
 * one that cannot be reached gives way to the next. The welcome of a leader gives the whole
 * list and its term, and a welcome of an older term than one seen is refused: it comes from a
 * master deposed since. The link's leading thread only.
 */
final class MasterList {

    private final List<String> addresses = new ArrayList<>();
    private int current;
    private long highestTerm;
    /** Moves since the last welcome: the link waits a little after each round of the list, and backs off after ten. */
    private int movesSinceWelcome;
    static final int QUICK_ROUNDS = 10;
    /** A master naming itself is dialed again twice: the link's own moves wait between dials. */
    private final SelfNamedLeader selfNamed = new SelfNamedLeader(2);

    MasterList(List<String> initial) {
        if (initial.isEmpty()) {
            throw new IllegalArgumentException("no master to connect to");
        }
        initial.forEach(a -> {
            if (!addresses.contains(a)) {
                addresses.add(a);
            }
        });
    }

    String current() {
        return addresses.get(current);
    }

    boolean replicated() {
        return addresses.size() > 1;
    }

    List<String> all() {
        return List.copyOf(addresses);
    }

    /**
     * A welcome from {@code address}: false if its term is older than one seen (the slave then
     * moves on); else the list is the welcome's, if it has one.
     */
    boolean welcomed(String address, List<String> masters, long term) {
        if (term < highestTerm) {
            next();
            return false;
        }
        highestTerm = term;
        movesSinceWelcome = 0;
        selfNamed.reset();
        if (!masters.isEmpty() && !masters.equals(addresses)) {
            addresses.clear();
            addresses.addAll(masters);
            if (!addresses.contains(address)) {
                addresses.add(address);
            }
            current = addresses.indexOf(address);
        }
        return true;
    }

    /**
     * {@code address} does not lead: the leader it names is next, or the next in the list; a
     * master that names itself is dialed again, twice ({@link SelfNamedLeader}).
     */
    void notLeader(String address, String leader) {
        if (selfNamed.dialAgain(address, leader)) {
            movesSinceWelcome++;
            return;
        }
        if (!leader.isEmpty() && !leader.equals(address)) {
            movesSinceWelcome++;
            if (!addresses.contains(leader)) {
                addresses.add(leader);
            }
            current = addresses.indexOf(leader);
        } else {
            next();
        }
    }

    /** The current master cannot be reached or went away: the next one. */
    void next() {
        movesSinceWelcome++;
        selfNamed.reset();
        current = (current + 1) % addresses.size();
    }

    /**
     * The wait before dialing the master moved to: a moment within a round of the list, a little
     * longer after each round (an election takes a second or two); -1 after {@value #QUICK_ROUNDS}
     * rounds without a welcome, when the link's own back-off takes over.
     */
    long moveDelayMs(java.util.random.RandomGenerator random) {
        if (movesSinceWelcome >= QUICK_ROUNDS * addresses.size()) {
            return -1;
        }
        return movesSinceWelcome % addresses.size() == 0 ? random.nextLong(200, 400) : random.nextLong(20, 80);
    }

    long highestTerm() {
        return highestTerm;
    }
}
