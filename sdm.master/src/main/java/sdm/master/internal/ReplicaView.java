package sdm.master.internal;

import java.util.ArrayList;
import java.util.List;

import sdm.api.ReplicaInfo;
import sdm.api.replication.ReplicaStatus;
import sdm.api.replication.ReplicatedLog;

/** The masters of a replicated machine as {@code sdm:master}, {@code MachineInfo} and JavaScript show them. */
final class ReplicaView {

    /** Heard from within this long: online (the longest election timeout). */
    static final long ONLINE_MS = 1_000;

    private ReplicaView() {
    }

    /**
     * @param log       the masters' log, or null for a single master (no replicas)
     * @param endpoints each master's endpoint for slaves and clients, in the replicas' order
     */
    static List<ReplicaInfo> of(ReplicatedLog log, List<String> endpoints) {
        if (log == null) {
            return List.of();
        }
        String self = log.self().id();
        List<ReplicaStatus> all = log.replicas();
        List<ReplicaInfo> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            ReplicaStatus r = all.get(i);
            boolean online = r.id().equals(self) || r.lastContactMs() >= 0 && r.lastContactMs() <= ONLINE_MS;
            out.add(new ReplicaInfo(r.id(), i < endpoints.size() ? endpoints.get(i) : r.address(), r.role().label(),
                    r.term(), r.commitIndex(), r.appliedIndex(), r.lagMs(), r.lastContactMs(), online));
        }
        return out;
    }

    /** The replicas as {@code sdm:master} prints them: one line each, under a header. */
    static String table(List<ReplicaInfo> replicas) {
        Table t = new Table("ID", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "LAST CONTACT", "ONLINE");
        for (ReplicaInfo r : replicas) {
            t.row(r.id(), r.address(), r.role(), String.valueOf(r.term()), String.valueOf(r.commitIndex()),
                    r.appliedIndex() < 0 ? "-" : String.valueOf(r.appliedIndex()),
                    r.lagMs() < 0 ? "-" : r.lagMs() + " ms",
                    r.lastContactMs() < 0 ? "-" : r.lastContactMs() == 0 ? "self" : r.lastContactMs() + " ms ago",
                    r.online() ? "yes" : "no");
        }
        return t.toString();
    }
}
