package sdm.master.internal;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;

import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;
import sdm.api.replication.LeadershipListener;
import sdm.api.replication.ReplicatedLog;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * A replicated master's side of the leadership: while it leads it serves, a {@link LeaderTerm}
 * with the machine's keys; while it follows, its endpoint answers naming the leader; elected but
 * unable to serve, it hands the leadership over. Changes of role come from the masters' log, and
 * take effect one at a time.
 */
final class Leadership implements LeadershipListener {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    private final String id;
    private final DataFolder data;
    private final MasterParts parts;
    private final BundleContext context;
    private final MasterSettings settings;
    private final Reception reception;
    private final MachineState state;
    private final ReplicatedJournal journal;
    private final BooleanSupplier failed;
    private final Consumer<MasterKeys> announce;
    private final Supplier<Message.Welcome> welcome;
    private final Object changes = new Object();
    /** The term at work while this master leads, else null. Changed under {@code changes}. */
    private volatile LeaderTerm term;
    private boolean closed;
    private volatile String leaderAddress;
    private volatile long leaderTerm;
    private volatile ReplicatedLog log;

    Leadership(String id, DataFolder data, MasterParts parts, BundleContext context, MasterSettings settings,
            Reception reception, MachineState state, ReplicatedJournal journal, BooleanSupplier failed,
            Consumer<MasterKeys> announce, Supplier<Message.Welcome> welcome) {
        this.id = id;
        this.data = data;
        this.parts = parts;
        this.context = context;
        this.settings = settings;
        this.reception = reception;
        this.state = state;
        this.journal = journal;
        this.failed = failed;
        this.announce = announce;
        this.welcome = welcome;
        reception.follow(this::leaderAddress);
        // a follower answers slaves and clients as soon as it has the machine's key
        state.onKeys(() -> Thread.ofVirtual().start(this::openAsFollower));
    }

    /** The masters' log, once the replication bundle started it. */
    void bind(ReplicatedLog l) {
        log = l;
        journal.log(l);
        reception.leads(l::leads);
        l.onLeadership(this);
    }

    void unbind(ReplicatedLog l) {
        log = null;
        l.onLeadership(null);
        following(-1, null);
    }

    ReplicatedLog log() {
        return log;
    }

    /** The term at work, or null while this master follows. */
    LeaderTerm term() {
        return term;
    }

    /** The leader's address for slaves, or "" while none is known. */
    String leaderAddress() {
        String l = leaderAddress;
        return l == null ? "" : l;
    }

    /** The term this master last led in (slaves refuse a welcome from an older one), or 0. */
    long leaderTerm() {
        return leaderTerm;
    }

    private void openAsFollower() {
        synchronized (changes) {
            try {
                if (!closed && reception.endpoint() == null && !failed.getAsBoolean()) {
                    reception.open(MasterKeys.loadOrCreate(data));
                    reception.announce();
                }
            } catch (IOException | TransportException | RuntimeException e) {
                LOG.warning("master " + id + " cannot open its endpoint: " + ErrorLine.of(e));
            }
        }
    }

    /** Elected, with everything committed applied: this master starts serving, with the machine's keys. */
    @Override
    public void leading(long t) {
        synchronized (changes) {
            if (term != null || closed || failed.getAsBoolean()) {
                return;
            }
            try {
                reception.starting();
                leaderTerm = t;
                MasterKeys keys = MasterKeys.loadOrCreate(data);
                if (state.keys().isEmpty()) {
                    journal.commit(keys.change()); // the first leader's keys become the machine's
                }
                state.serving(true);
                term = new LeaderTerm(parts, context, settings, keys, token -> journal.commit(
                        new StateChange.MachineKeys(keys.server().secretKey(), token.text(), keys.admin().secretKey())),
                        reception.open(keys), reception::leadsNow, welcome);
                reception.serve(term);
                reception.announce();
                term.start();
                LOG.info("master " + id + " leads (term " + t + ")");
                announce.accept(keys);
            } catch (IOException | TransportException | RuntimeException e) {
                term = null;
                state.serving(false);
                reception.follow(this::leaderAddress);
                LOG.warning("master " + id + " was elected but cannot serve: " + ErrorLine.of(e)
                        + "; it hands the leadership over");
                standAside();
            }
        }
    }

    /** Hands the leadership over: a leader that cannot serve would otherwise keep the others from electing one that can. */
    private void standAside() {
        ReplicatedLog l = log;
        if (l != null) {
            l.standAside().whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.warning("master " + id + " cannot step down: " + ErrorLine.of(failure));
                }
            });
        }
    }

    /** No longer the leader (or not yet): this master stops serving at once. */
    @Override
    public void following(long inTerm, String leader) {
        synchronized (changes) {
            leaderAddress = leader;
            reception.follow(this::leaderAddress);
            LeaderTerm ended = term;
            if (ended != null) {
                term = null;
                ended.close();
                state.serving(false);
                LOG.info("master " + id + " stopped serving: it does not lead now"
                        + (leader == null ? "" : "; " + leader + " does"));
            }
        }
    }

    /** Ends the term at work, if any; no change of role takes effect after. */
    void close() {
        synchronized (changes) {
            closed = true;
            if (term != null) {
                term.close();
                term = null;
            }
        }
    }
}
