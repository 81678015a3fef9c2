package sdm.master.internal;

import java.time.Duration;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;

import sdm.api.NodeFailure;
import sdm.api.node.NodeFiles;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.TransportException;

/**
 * The master's one endpoint for slaves and admin clients, open from the moment the machine's
 * keys are known to the master's stop, across terms. What comes in goes to the term at work; a
 * master that does not lead answers everything with the leader's address ({@link
 * Message.NotLeader}); one that is starting its term answers admin clients that it is, and
 * drops the rest (slaves send again on their next beat).
 */
final class Reception implements AutoCloseable {

    private final MasterSettings settings;
    private final MasterParts parts;
    private final BundleContext context;
    private volatile MasterEndpoint endpoint;
    private volatile LeaderTerm term;
    private volatile boolean starting;
    private volatile Supplier<String> leader = () -> "";
    /** Asked for every message a term would act on: a leader whose lease ran out acts on none. */
    private volatile java.util.function.BooleanSupplier leads = () -> true;

    Reception(MasterSettings settings, MasterParts parts, BundleContext context) {
        this.settings = settings;
        this.parts = parts;
        this.context = context;
    }

    /** Opens the endpoint with the machine's server key, if it is not open yet. */
    synchronized MasterEndpoint open(MasterKeys keys) throws TransportException, java.io.IOException {
        if (endpoint == null) {
            endpoint = MasterEndpoint.start(new MasterEndpoint.Config(settings.host(), settings.port(), keys.server(),
                    parts.enrollments(), Duration.ofMillis(parts.heartbeatMs().getAsLong()),
                    settings.maxMessageBytes(), settings.peers()), listener());
        }
        return endpoint;
    }

    /** Writes the endpoint's address to {@code DATA/master.endpoint}, where admin clients on this host find it. */
    void announce() throws java.io.IOException {
        String local = ("0.0.0.0".equals(settings.host()) ? "127.0.0.1" : settings.host()) + ":" + endpoint.port();
        parts.data().write(NodeFiles.MASTER_ENDPOINT, local, false);
    }

    /** Null until {@link #open}. */
    MasterEndpoint endpoint() {
        return endpoint;
    }

    /** A replicated master's live check of its lease (a single master always leads). */
    void leads(java.util.function.BooleanSupplier check) {
        leads = check;
    }

    /** Whether the term may act now: on a replicated master, whether its lease is held. */
    boolean leadsNow() {
        return leads.getAsBoolean();
    }

    /** Elected: messages are dropped until {@link #serve}. */
    void starting() {
        starting = true;
    }

    void serve(LeaderTerm t) {
        term = t;
        starting = false;
    }

    /** Following: messages are answered with the leader's address, {@code leaderAddress} asked anew each time. */
    void follow(Supplier<String> leaderAddress) {
        leader = leaderAddress;
        term = null;
        starting = false;
    }

    private MasterEndpoint.Listener listener() {
        return new MasterEndpoint.Listener() {
            @Override
            public void onMessage(MasterEndpoint.Peer from, Message message) {
                MasterEndpoint e = endpoint;
                LeaderTerm t = term;
                if (e == null) {
                    return;
                }
                if (t != null && leads.getAsBoolean()) {
                    t.onMessage(from, message, e);
                } else if (starting) {
                    if (message instanceof Message.AdminRequest r) {
                        // as if no leader were known yet: a client that follows leaders asks again
                        e.send(from.routingId(), new Message.NotLeader(""));
                        e.send(from.routingId(), new Message.AdminReply(r.requestId(), false, "",
                                "this master is starting; try again in a moment"));
                    }
                } else {
                    // a client that follows leaders goes on the first; one that does not reads the second
                    String l = leader.get();
                    e.send(from.routingId(), new Message.NotLeader(l));
                    if (message instanceof Message.AdminRequest r) {
                        e.send(from.routingId(), new Message.AdminReply(r.requestId(), false, "", l.isEmpty()
                                ? "not the leader, and no leader is known now; try again" : "not the leader: " + l + " is"));
                    }
                }
            }

            @Override
            public void onExpired(MasterEndpoint.Peer from, Message message) {
                String nodeId = parts.registry().nodeIdOf(from.routingId());
                if (nodeId != null) {
                    parts.nodeCounters().expired(nodeId);
                }
            }

            @Override
            public void onStopped(String reason) {
                NodeFailure.report(context, reason);
            }
        };
    }

    @Override
    public synchronized void close() {
        MasterEndpoint e = endpoint;
        endpoint = null;
        if (e != null) {
            e.close();
        }
    }
}
