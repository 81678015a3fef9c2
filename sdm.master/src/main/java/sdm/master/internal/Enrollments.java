package sdm.master.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import sdm.api.node.DataFolder;
import sdm.api.node.Sha256;
import sdm.api.node.TerminalText;
import sdm.transport.zmq.Admission;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.PeerRole;

/**
 * The slaves' own keys, each bound to one node id, in {@code enrolled.json} of the master's data
 * folder (written atomically, owner-only, format 1) and the changes since, one JSON line each, in
 * {@code enrolled.log}: an enrollment appends a line, and the log is folded into the file once
 * it holds half as many lines as the book has slaves (and 256 at least), so a burst or a long
 * ramp of new slaves costs each of them a line and a small share of a rewrite, not a rewrite
 * each. An append that failed may have left part of a line: the next change folds the log
 * instead of appending after it. The join token enrolls a key once; from
 * then on the key is the node's credential, and no other key may take its id. A revoked node
 * stays in the book so that neither its key nor its id is admitted again. This is also the
 * master's {@link Admission}: the ZAP handler asks it about every handshake.
 */
final class Enrollments implements Admission {

    static final String FILE = "enrolled.json";
    static final String LOG_FILE = "enrolled.log";
    /** The log is folded into the file at this many lines, or at half as many as the book has slaves. */
    static final int FOLD_AT_LEAST = 256;
    private static final int FORMAT = 1;
    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One enrolled slave; {@code revokedAtMs} 0 while it is admitted. */
    record Slave(String nodeId, String name, String publicKey, long enrolledAtMs, long revokedAtMs) {
        boolean revoked() {
            return revokedAtMs != 0;
        }

        /** What an operator compares with the slave's {@code slave.key}: 16 hex digits of its SHA-256. */
        String fingerprint() {
            MessageDigest d = Sha256.digest();
            d.update(publicKey.getBytes(StandardCharsets.US_ASCII));
            return Sha256.hex(d).substring(0, 16);
        }
    }

    private final DataFolder data;
    private volatile String adminKey;
    private volatile String joinKey;
    /** Where a replicated master's changes go, instead of its own files; null on a single master. */
    private volatile Journal journal;
    /** By public key; written under this object's lock, read by the ZAP thread at any time. */
    private final Map<String, Slave> byKey = new ConcurrentHashMap<>();
    private final Map<String, Slave> byNode = new ConcurrentHashMap<>();
    /** Lines in {@link #LOG_FILE}, and whether an append to it failed since its last fold; under this object's lock. */
    private int logLines;
    private boolean appendFailed;

    private Enrollments(DataFolder data, String adminKey, String joinKey) {
        this.data = data;
        this.adminKey = adminKey;
        this.joinKey = joinKey;
    }

    /**
     * The book in {@code data}, empty if there is none yet (a master of before enrollment: its
     * slaves enroll on their next connection).
     *
     * @throws IOException naming the file, if it is there but damaged
     */
    static Enrollments open(DataFolder data, String adminKey, String joinKey) throws IOException {
        Enrollments book = new Enrollments(data, adminKey, joinKey);
        Optional<String> text = data.read(FILE);
        if (text.isPresent()) {
            try {
                JsonNode root = JSON.readTree(text.get());
                if (root == null || root.path("format").asInt() != FORMAT || !root.path("slaves").isArray()) {
                    throw new IOException(FILE + " is not format " + FORMAT + " of the enrolled slaves");
                }
                for (JsonNode s : root.get("slaves")) {
                    book.put(slave(s));
                }
            } catch (JsonProcessingException e) {
                throw new IOException(FILE + " is damaged: " + e.getOriginalMessage());
            }
        }
        if (book.replayLog()) {
            // a torn last line: the next append must not follow it
            synchronized (book) {
                if (!book.fold()) {
                    throw new IOException("cannot fold " + LOG_FILE + " into " + FILE);
                }
            }
        }
        return book;
    }

    /**
     * A replicated master's book: empty until its log is applied, kept in memory and in the
     * log's snapshots, every change committed through {@code journal}.
     */
    static Enrollments replicated(DataFolder data, Journal journal) {
        Enrollments book = new Enrollments(data, "", "");
        book.journal = journal;
        return book;
    }

    /** The machine's admin and join keys, once a replicated master knows them. */
    void keys(String admin, String join) {
        adminKey = admin;
        joinKey = join;
    }

    /** Applies slaves committed through the masters' log (on every master; on the leader again). */
    void apply(StateChange.SlavesRecorded recorded) {
        recorded.slaves().forEach(this::put);
    }

    /** Every slave in the book, for a snapshot. */
    List<Slave> all() {
        return List.copyOf(byNode.values());
    }

    /** Replaces the whole book, from a snapshot. */
    void replace(List<Slave> slaves) {
        byKey.clear();
        byNode.clear();
        slaves.forEach(this::put);
    }

    private static Slave slave(JsonNode s) {
        return new Slave(s.path("nodeId").asText(), s.path("name").asText(), s.path("key").asText(),
                s.path("enrolledAtMs").asLong(), s.path("revokedAtMs").asLong());
    }

    /**
     * Applies the log's lines over the file's book, each the whole of one slave as it is now.
     * Returns true if the last line was torn (an append cut by a crash, never acknowledged).
     *
     * @throws IOException naming the line, if one before the last is damaged
     */
    private boolean replayLog() throws IOException {
        Optional<String> text = data.read(LOG_FILE);
        if (text.isEmpty() || text.get().isEmpty()) {
            return false;
        }
        String[] lines = text.get().split("\n");
        for (int i = 0; i < lines.length; i++) {
            try {
                JsonNode s = JSON.readTree(lines[i]);
                if (s == null || !s.path("key").isTextual() || !s.path("nodeId").isTextual()) {
                    throw new IOException(LOG_FILE + " line " + (i + 1) + " is not an enrolled slave");
                }
                put(slave(s));
                logLines++;
            } catch (JsonProcessingException e) {
                if (i == lines.length - 1) {
                    LOG.warning(LOG_FILE + " ends in a torn line (a crash while it was written); it is dropped");
                    return true;
                }
                throw new IOException(LOG_FILE + " line " + (i + 1) + " is damaged: " + e.getOriginalMessage());
            }
        }
        return false;
    }

    @Override
    public String userIdOf(String publicKey) {
        if (publicKey.equals(adminKey)) {
            return PeerRole.ADMIN.userId();
        }
        if (publicKey.equals(joinKey)) {
            return PeerRole.JOINER.userId();
        }
        Slave s = byKey.get(publicKey);
        return s == null || s.revoked() ? null : PeerRole.slaveUserId(s.nodeId());
    }

    /** From now on only this join key enrolls; enrolled slaves are not affected. */
    void joinKey(String key) {
        joinKey = key;
    }

    /** Whether this enrollment would add a slave: neither its key nor its id is in the book. */
    boolean isNew(Message.Enroll e) {
        return !byKey.containsKey(e.publicKey()) && !byNode.containsKey(e.nodeId());
    }

    /** Enrolls the slave's key under its id, or says why not: the answer to send back. */
    Message enroll(Message.Enroll e, long nowMs) {
        return enroll(List.of(e), nowMs).getFirst();
    }

    /**
     * Enrolls a batch with one append to the log (a group commit: one fsync for a burst). The
     * answers are in the batch's order; if the append fails, every enrollment new in this batch is
     * undone and refused.
     */
    synchronized List<Message> enroll(List<Message.Enroll> batch, long nowMs) {
        List<Message> answers = new ArrayList<>(batch.size());
        List<Slave> added = new ArrayList<>();
        for (Message.Enroll e : batch) {
            Message answer = check(e);
            if (answer == null) {
                Slave s = new Slave(e.nodeId(), e.name(), e.publicKey(), nowMs, 0);
                put(s);
                added.add(s);
                answer = new Message.Enrolled(e.nodeId(), true);
            }
            answers.add(answer);
        }
        if (added.isEmpty()) {
            return answers;
        }
        if (!record(added)) {
            for (Slave s : added) {
                byKey.remove(s.publicKey());
                byNode.remove(s.nodeId());
            }
            Message refused = new Message.Refused("the master cannot save its enrolled slaves now; try again");
            for (int i = 0; i < batch.size(); i++) {
                String key = batch.get(i).publicKey();
                if (added.stream().anyMatch(a -> a.publicKey().equals(key))) {
                    answers.set(i, refused);
                }
            }
            return answers;
        }
        for (Slave s : added) {
            LOG.info("enrolled node " + TerminalText.escape(s.name() + " (" + s.nodeId() + ")") + ", key fingerprint "
                    + s.fingerprint());
        }
        return answers;
    }

    /** Why this enrollment is refused, or that it is enrolled already; null for a new slave to add. */
    private Message check(Message.Enroll e) {
        Slave byItsKey = byKey.get(e.publicKey());
        Slave byItsId = byNode.get(e.nodeId());
        if (byItsKey != null) {
            if (byItsKey.revoked()) {
                return new Message.Refused("this node's key was revoked (sdm:revoke " + byItsKey.nodeId() + ")");
            }
            if (!byItsKey.nodeId().equals(e.nodeId())) {
                return new Message.Refused("this key is enrolled as node " + byItsKey.nodeId() + ", not " + e.nodeId());
            }
            // a known key is no secret: whoever holds it proves that in a handshake of its own
            return new Message.Enrolled(e.nodeId(), false);
        }
        if (byItsId != null) {
            return new Message.Refused(byItsId.revoked() ? "node " + e.nodeId() + " was revoked"
                    : "node " + e.nodeId() + " is enrolled with another key (fingerprint " + byItsId.fingerprint()
                            + "); a reinstalled slave needs sdm:revoke " + e.nodeId() + " and a new node id");
        }
        if (e.publicKey().equals(joinKey) || e.publicKey().equals(adminKey)) {
            return new Message.Refused("a slave enrolls a key of its own, not the join or admin key");
        }
        return null;
    }

    /**
     * Refuses the node's key and id from now on.
     *
     * @return false if no slave of that id was ever enrolled
     */
    synchronized boolean revoke(String nodeId, long nowMs) throws IOException {
        Slave s = byNode.get(nodeId);
        if (s == null) {
            return false;
        }
        if (!s.revoked()) {
            Slave revoked = new Slave(s.nodeId(), s.name(), s.publicKey(), s.enrolledAtMs(), nowMs);
            put(revoked);
            if (!record(List.of(revoked))) {
                put(s);
                throw new IOException("cannot save " + FILE + "; " + nodeId + " is not revoked");
            }
        }
        return true;
    }

    /** Whether {@code publicKey} is enrolled and admitted: enrolling it again changes nothing. */
    boolean admits(String publicKey) {
        Slave s = byKey.get(publicKey);
        return s != null && !s.revoked();
    }

    boolean revoked(String nodeId) {
        Slave s = byNode.get(nodeId);
        return s != null && s.revoked();
    }

    Optional<Slave> slave(String nodeId) {
        return Optional.ofNullable(byNode.get(nodeId));
    }

    private void put(Slave s) {
        byKey.put(s.publicKey(), s);
        byNode.put(s.nodeId(), s);
    }

    /** Appends the slaves' lines to the log, folding it into the file when it is long; false if they are not kept. */
    private boolean record(List<Slave> changed) {
        Journal j = journal;
        if (j != null) {
            try {
                j.commit(new StateChange.SlavesRecorded(changed));
                return true;
            } catch (IOException e) {
                LOG.warning("cannot record " + changed.size() + " enrolled slaves: " + e.getMessage());
                return false;
            }
        }
        if (appendFailed) {
            // the book in memory holds the changes: written whole, they need no line
            appendFailed = !fold();
            return !appendFailed;
        }
        StringBuilder lines = new StringBuilder();
        try {
            for (Slave s : changed) {
                if (!lines.isEmpty()) {
                    lines.append('\n');
                }
                lines.append(JSON.writeValueAsString(fields(s)));
            }
            data.append(LOG_FILE, lines.toString(), true);
        } catch (IOException e) {
            LOG.warning("cannot append to " + LOG_FILE + ": " + e.getMessage());
            appendFailed = true;
            return false;
        }
        logLines += changed.size();
        if (logLines >= Math.max(FOLD_AT_LEAST, byNode.size() / 2)) {
            fold();
        }
        return true;
    }

    /** Writes the whole book to the file, then deletes the log; false (the log kept) if it cannot. */
    private boolean fold() {
        if (!save()) {
            return false;
        }
        try {
            data.delete(LOG_FILE);
            logLines = 0;
            return true;
        } catch (IOException e) {
            // the file holds everything; the log replays over it harmlessly, each line a whole slave
            LOG.warning("cannot delete " + LOG_FILE + ": " + e.getMessage());
            return false;
        }
    }

    private static Map<String, Object> fields(Slave s) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("nodeId", s.nodeId());
        one.put("name", s.name());
        one.put("key", s.publicKey());
        one.put("enrolledAtMs", s.enrolledAtMs());
        one.put("revokedAtMs", s.revokedAtMs());
        return one;
    }

    private boolean save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode slaves = root.putArray("slaves");
        List<Slave> all = new ArrayList<>(byNode.values());
        all.sort(java.util.Comparator.comparingLong(Slave::enrolledAtMs));
        for (Slave s : all) {
            slaves.add(JSON.valueToTree(fields(s)));
        }
        try {
            data.write(FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), true);
            return true;
        } catch (IOException e) {
            LOG.warning("cannot save " + FILE + ": " + e.getMessage());
            return false;
        }
    }
}
