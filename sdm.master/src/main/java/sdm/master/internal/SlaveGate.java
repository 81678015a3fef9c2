package sdm.master.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

import sdm.api.node.TerminalText;
import sdm.api.node.ThrottledLog;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.MasterEndpoint;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.PeerRole;
import sdm.transport.zmq.TransportCounters;

/**
 * Who a slave's connection speaks for. A connection made with the join key may only enroll a
 * key of its own ({@link Enrollments}); a connection made with an enrolled key speaks only as
 * the node that key is enrolled as, and not at all once that node is revoked. Enrollments are
 * written on a thread of their own, off the endpoint's, at most {@value #QUEUED} waiting, and all
 * that wait go in one write.
 * <p>
 * Each new node needs a new enrollment, so the rate of those bounds how fast a holder of the join
 * token can make the master keep new nodes: past {@code enrollmentsPerSecond} (and ten seconds'
 * worth at once), an enrollment of a new id and key is refused with a reason, counted as
 * {@code enrollmentsThrottled}, and the slave asks again on its next beat. Registrations, each
 * of which has the master send the node its desired state, are put off the same way past
 * {@code registrationsPerSecond}, without an answer: a slave registers on every beat until welcomed.
 */
final class SlaveGate implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    static final int QUEUED = 256;

    private final Enrollments book;
    private final NodeRegistry registry;
    private final TokenKeeper keeper;
    private final Supplier<MasterEndpoint> endpoint;
    private volatile JoinToken token;
    private final ThrottledLog refusals = new ThrottledLog(LOG, 20, 60_000);
    /** One enrollment from a connection, waiting for the writer. */
    private record Waiting(MasterEndpoint.Peer from, Message.Enroll enroll) {
    }

    private final BlockingQueue<Waiting> waiting = new ArrayBlockingQueue<>(QUEUED);
    /** Each waiting enrollment queues a drain; a drain finds its own and those after it. */
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUED), Thread.ofPlatform().name("sdm-enrollments").daemon().factory());
    private final double enrollmentsPerSecond;
    private final RateLimit newNodes;
    private final double registrationsPerSecond;
    private final RateLimit registrations;

    /** Makes a new join token durable: in {@code join.token}, or through the masters' log. */
    @FunctionalInterface
    interface TokenKeeper {
        void keep(JoinToken token) throws IOException;
    }

    SlaveGate(Enrollments book, NodeRegistry registry, TokenKeeper keeper, JoinToken token,
            Supplier<MasterEndpoint> endpoint, double enrollmentsPerSecond, double registrationsPerSecond) {
        this.book = book;
        this.registry = registry;
        this.keeper = keeper;
        this.token = token;
        this.endpoint = endpoint;
        this.enrollmentsPerSecond = enrollmentsPerSecond;
        this.newNodes = new RateLimit(enrollmentsPerSecond, System.currentTimeMillis());
        this.registrationsPerSecond = registrationsPerSecond;
        this.registrations = new RateLimit(registrationsPerSecond, System.currentTimeMillis());
    }

    /** The join token that enrolls slaves now. */
    JoinToken token() {
        return token;
    }

    /**
     * A new join token, kept by the keeper before it counts: the old one no longer enrolls (nor connects
     * to enroll); slaves enrolled already are not affected.
     */
    synchronized JoinToken rotateToken() throws IOException {
        JoinToken next = JoinToken.create(token.masterPublicKey());
        keeper.keep(next);
        book.joinKey(next.slaveKeys().publicKey());
        token = next;
        LOG.warning("the join token was rotated: the old one no longer enrolls slaves");
        return next;
    }

    /** The fingerprint of the key a node is enrolled with, or {@code -} if it is not. */
    String fingerprint(String nodeId) {
        return book.slave(nodeId).map(s -> s.fingerprint() + (s.revoked() ? " (revoked)" : "")).orElse("-");
    }

    /** On the endpoint's thread: enrolls the key and answers, from the writer's thread. */
    void enroll(MasterEndpoint.Peer from, Message.Enroll enroll, MasterEndpoint endpoint) {
        if (book.isNew(enroll) && !newNodes.tryTake(System.currentTimeMillis())) {
            throttled(from, enroll, endpoint, "the master enrolls at most " + rate(enrollmentsPerSecond)
                    + " new nodes a second; this one asks again");
            return;
        }
        if (!waiting.offer(new Waiting(from, enroll))) {
            throttled(from, enroll, endpoint, QUEUED + " enrollments are waiting to be written; this one asks again");
            return;
        }
        try {
            writer.execute(() -> writeWaiting(endpoint));
        } catch (RejectedExecutionException e) {
            // the writer has a task queued already, which takes this enrollment too
        }
    }

    private void throttled(MasterEndpoint.Peer from, Message.Enroll enroll, MasterEndpoint endpoint, String reason) {
        endpoint.counters().increment(TransportCounters.ENROLLMENTS_THROTTLED);
        refusals.warn("did not enroll " + TerminalText.escape(enroll.name() + " (" + enroll.nodeId() + ")") + " from "
                + from.address() + " yet: " + reason);
        endpoint.send(from.routingId(), new Message.Refused(reason));
    }

    /** Everything waiting, in one write of the book: a burst of new slaves costs one write, not one each. */
    private void writeWaiting(MasterEndpoint endpoint) {
        List<Waiting> batch = new ArrayList<>();
        waiting.drainTo(batch);
        if (batch.isEmpty()) {
            return;
        }
        // a slave asks on every beat until answered, perhaps twice in one batch: only the first enrolls anything
        Set<String> known = new HashSet<>();
        batch.stream().map(w -> w.enroll().publicKey()).filter(book::admits).forEach(known::add);
        List<Message> answers = book.enroll(batch.stream().map(Waiting::enroll).toList(), System.currentTimeMillis());
        for (int i = 0; i < batch.size(); i++) {
            Waiting w = batch.get(i);
            if (answers.get(i) instanceof Message.Refused r) {
                endpoint.counters().increment(TransportCounters.ENROLLMENTS_REFUSED);
                refusals.warn("refused to enroll " + TerminalText.escape(w.enroll().name() + " (" + w.enroll().nodeId()
                        + ")") + " from " + w.from().address() + ": " + TerminalText.escape(r.reason()));
            } else if (known.add(w.enroll().publicKey())) {
                endpoint.counters().increment(TransportCounters.ENROLLED);
            }
            if (answers.get(i) instanceof Message.Enrolled e && e.inPlace()) {
                endpoint.enrolledInPlace(w.from().routingId(), e.nodeId());
            }
            endpoint.send(w.from().routingId(), answers.get(i));
        }
    }

    /** On the endpoint's thread: whether a registration is {@linkplain #admits admitted} and within the rate. */
    boolean mayRegister(MasterEndpoint.Peer from, String nodeId, MasterEndpoint endpoint) {
        if (!admits(from, nodeId, endpoint)) {
            return false;
        }
        if (from.role() != PeerRole.SLAVE || registrations.tryTake(System.currentTimeMillis())) {
            return true;
        }
        endpoint.counters().increment(TransportCounters.REGISTRATIONS_THROTTLED);
        refusals.warn("put off a registration of " + TerminalText.escape(nodeId) + " from " + from.address()
                + ": the master takes at most " + rate(registrationsPerSecond) + " a second");
        return false;
    }

    private static String rate(double perSecond) {
        return java.math.BigDecimal.valueOf(perSecond).stripTrailingZeros().toPlainString();
    }

    /**
     * On the endpoint's thread: whether a slave's message may be taken as its node's. A refused
     * one is counted, logged (throttled) and answered with the reason.
     *
     * @param claimed the node id the message claims ({@link Message.Register}), or null for a
     *                message that speaks for the node its connection registered as
     */
    boolean admits(MasterEndpoint.Peer from, String claimed, MasterEndpoint endpoint) {
        if (from.role() != PeerRole.SLAVE) {
            return true;
        }
        String reason = null;
        if (book.revoked(from.nodeId())) {
            reason = "node " + from.nodeId() + " is revoked";
        } else if (claimed != null && !claimed.equals(from.nodeId())) {
            reason = "this connection's key is enrolled as node " + from.nodeId() + ", not " + claimed;
        }
        if (reason == null) {
            return true;
        }
        endpoint.counters().increment(TransportCounters.IMPERSONATIONS_REFUSED);
        refusals.warn("refused a message from " + from.address() + ": " + TerminalText.escape(reason));
        endpoint.send(from.routingId(), new Message.Refused(reason));
        return false;
    }

    /**
     * Revokes a node: its key and id are refused from now on, and the master takes it offline at
     * once, whatever its connection still sends.
     *
     * @return false if no slave of that id was ever enrolled
     */
    boolean revoke(String nodeId) throws IOException {
        if (!book.revoke(nodeId, System.currentTimeMillis())) {
            return false;
        }
        String routingId = registry.routingIdOf(nodeId);
        MasterEndpoint e = endpoint.get();
        if (routingId != null && e != null) {
            e.send(routingId, new Message.Refused("node " + nodeId + " is revoked"));
        }
        registry.disconnect(nodeId, System.currentTimeMillis());
        LOG.warning("revoked node " + nodeId + ": its key and id are refused from now on");
        return true;
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
