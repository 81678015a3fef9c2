package sdm.replication.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import sdm.api.replication.LeadershipListener;
import sdm.api.replication.NotLeaderException;
import sdm.api.replication.ReplicaStatus;
import sdm.api.replication.ReplicatedLog;
import sdm.api.replication.ReplicatedState;

/**
 * A {@link ReplicatedLog} on one embedded Ratis server over gRPC and mutual TLS: this master's
 * member of the machine's one Raft group. Appends go straight to the local server (no client hop), and only a
 * leader takes them; the log is snapshotted and compacted every {@code snapshotEvery} entries,
 * so a master that was away long catches up from a snapshot.
 */
public final class RatisLog implements ReplicatedLog, AutoCloseable {

    /** Every machine's group has this id: a machine has one group, named by its members' list. */
    private static final RaftGroupId GROUP = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("sdm-masters".getBytes()));

    /**
     * @param self          this master's replica id, one of {@code replicas}' keys
     * @param replicas      every master's replica id and consensus {@code host:port}, in order
     * @param leaders       every master's slaves' endpoint {@code host:port}, by replica id: what a
     *                      {@link NotLeaderException} names
     * @param storage       the folder of this master's log and snapshots
     * @param electionMin   the shortest election timeout; the longest is twice as long
     * @param snapshotEvery entries between snapshots; the log is purged up to each, a segment
     *                      ({@code segmentBytes} at most) at a time
     * @param key           the machine's consensus key: every link between masters is mutual TLS with it
     */
    public record Config(String self, Map<String, String> replicas, Map<String, String> leaders, Path storage,
            Duration electionMin, long snapshotEvery, long segmentBytes, ConsensusKey key) {
        public Config {
            replicas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replicas));
            leaders = Map.copyOf(leaders);
            if (!replicas.containsKey(self)) {
                throw new IllegalArgumentException("replica " + self + " is not among " + replicas.keySet());
            }
        }
    }

    private final Config config;
    private final RaftServer server;
    private final RaftPeerId selfId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final LeaderLease lease;
    /** By follower id, on the leader: the last time its match index reached the commit index (nanoTime). */
    private final Map<String, Long> caughtUpAt = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long lastSampledCommit;

    private RatisLog(Config config, RaftServer server) {
        this.config = config;
        this.server = server;
        this.selfId = RaftPeerId.valueOf(config.self());
        long min = config.electionMin().toMillis();
        this.lease = new LeaderLease(this::view, min * 6 / 10, 2 * min, Math.max(5, min / 20));
    }

    /** Starts this master's server; it joins the group's elections at once. */
    public static RatisLog start(Config config, ReplicatedState state) throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        config.replicas().forEach((id, address) -> peers.add(RaftPeer.newBuilder().setId(id).setAddress(address)
                .build()));
        RaftProperties properties = properties(config);
        // Ratis finds its RPC and metrics implementations by class name, through the context class
        // loader; the threads it starts meanwhile keep that loader, and only those
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(RatisLog.class.getClassLoader());
        RaftServer server;
        try {
            server = RaftServer.newBuilder()
                    .setGroup(RaftGroup.valueOf(GROUP, peers))
                    .setProperties(properties)
                    .setParameters(GrpcFactory.newRaftParameters(new GrpcTlsConfig(config.key().keyManager(),
                            config.key().trustManager(), true)))
                    .setServerId(RaftPeerId.valueOf(config.self()))
                    .setStateMachine(new StateAdapter(state))
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            server.start();
        } finally {
            thread.setContextClassLoader(before);
        }
        return new RatisLog(config, server);
    }

    private static RaftProperties properties(Config config) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        String self = config.replicas().get(config.self());
        GrpcConfigKeys.Server.setHost(p, self.substring(0, self.lastIndexOf(':')));
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(self.substring(self.lastIndexOf(':') + 1)));
        RaftServerConfigKeys.setStorageDir(p, List.of(config.storage().toFile()));
        long min = config.electionMin().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, config.snapshotEvery()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.segmentBytes()));
        return p;
    }

    @Override
    public CompletableFuture<Long> append(byte[] operation) {
        try {
            return server.submitClientRequestAsync(request(Message.valueOf(UnsafeByteOperations.unsafeWrap(operation)),
                    RaftClientRequest.writeRequestType())).thenApply(this::indexOf);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RaftClientRequest request(Message message, RaftClientRequest.Type type) {
        return RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(selfId)
                .setGroupId(GROUP)
                .setCallId(callIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
    }

    @Override
    public void onLeadership(LeadershipListener listener) {
        lease.listener(listener);
    }

    @Override
    public boolean leads() {
        return lease.held();
    }

    @Override
    public CompletableFuture<Void> standAside() {
        try {
            DivisionInfo info = info();
            if (!info.isLeader()) {
                return CompletableFuture.completedFuture(null);
            }
            long timeoutMs = 2 * config.electionMin().toMillis();
            RaftPeerId heir = heir(info.getRoleInfoProto(), timeoutMs);
            // Ratis hands over once the heir holds the whole log; failing that, this master steps down
            CompletableFuture<RaftClientReply> handedOver = heir == null ? CompletableFuture.completedFuture(null)
                    : transfer(heir, timeoutMs);
            return handedOver.handle((reply, failed) -> failed == null && reply != null && reply.isSuccess()
                    ? CompletableFuture.<Void>completedFuture(null) : stepDown(timeoutMs)).thenCompose(next -> next);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A follower that answered within {@code answeredMs}, chosen at random: of several masters
     * unable to serve, none hands the leadership back to the same one for ever.
     */
    private static RaftPeerId heir(RoleInfoProto roles, long answeredMs) {
        if (!roles.hasLeaderInfo()) {
            return null;
        }
        List<ServerRpcProto> answering = roles.getLeaderInfo().getFollowerInfoList().stream()
                .filter(f -> f.getLastRpcElapsedTimeMs() <= answeredMs).toList();
        return answering.isEmpty() ? null : RaftPeerId.valueOf(answering.get(
                java.util.concurrent.ThreadLocalRandom.current().nextInt(answering.size())).getId().getId());
    }

    private CompletableFuture<Void> stepDown(long timeoutMs) {
        try {
            return transfer(null, timeoutMs).thenAccept(reply -> {
                if (!reply.isSuccess() && info().isLeader()) {
                    throw new CompletionException(reply.getException() != null ? reply.getException()
                            : new IOException("the leader did not step down"));
                }
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Hands the leadership to {@code heir}; to no one named, it steps down. */
    private CompletableFuture<RaftClientReply> transfer(RaftPeerId heir, long timeoutMs) throws IOException {
        return server.transferLeadershipAsync(new TransferLeadershipRequest(clientId, selfId, GROUP,
                callIds.incrementAndGet(), heir, timeoutMs));
    }

    private LeaderLease.View view() {
        DivisionInfo info = info();
        long answeredAgo = -1;
        if (info.isLeader()) {
            sampleLag(info);
            answeredAgo = majorityAnsweredAgoMs(info.getRoleInfoProto());
        }
        String leader = leaderId();
        return new LeaderLease.View(info.getCurrentTerm(), info.isLeader() && info.isLeaderReady(),
                leader == null ? null : config.leaders().get(leader), answeredAgo);
    }

    /**
     * How long ago enough followers answered this leader to make a majority with it: with n
     * masters, the (n/2)-th most recent answer (the leader counts as answering now).
     */
    static long majorityAnsweredAgoMs(RoleInfoProto roles) {
        if (!roles.hasLeaderInfo()) {
            return -1;
        }
        long[] ago = roles.getLeaderInfo().getFollowerInfoList().stream()
                .mapToLong(ServerRpcProto::getLastRpcElapsedTimeMs).sorted().toArray();
        int needed = (ago.length + 1) / 2;
        return needed == 0 ? 0 : ago[needed - 1];
    }

    /** On the lease's ticks: when each follower last held everything committed, for its lag. */
    private void sampleLag(DivisionInfo info) {
        long[] matched = info.getFollowerMatchIndices();
        RoleInfoProto roles = info.getRoleInfoProto();
        if (!roles.hasLeaderInfo()) {
            return;
        }
        List<ServerRpcProto> followers = roles.getLeaderInfo().getFollowerInfoList();
        long now = System.nanoTime();
        // held what was committed a tick ago: a follower a few milliseconds behind under load is not lagging
        long committedBefore = lastSampledCommit;
        for (int i = 0; i < followers.size() && i < matched.length; i++) {
            String id = followers.get(i).getId().getId().toStringUtf8();
            if (matched[i] >= committedBefore || !caughtUpAt.containsKey(id)) {
                caughtUpAt.put(id, now);
            }
        }
        lastSampledCommit = commitIndex();
    }

    private long indexOf(RaftClientReply reply) {
        if (reply.getException() instanceof LeaderNotReadyException) {
            // elected, and not yet sure of what its predecessor committed: no leader to name yet
            throw new CompletionException(new NotLeaderException(null));
        }
        if (reply.getNotLeaderException() != null) {
            RaftPeer suggested = reply.getNotLeaderException().getSuggestedLeader();
            throw new CompletionException(new NotLeaderException(suggested == null ? null
                    : config.leaders().getOrDefault(suggested.getId().toString(), suggested.getAddress())));
        }
        if (!reply.isSuccess()) {
            Exception e = reply.getException();
            throw new CompletionException(e == null ? new IOException("the operation was not committed") : e);
        }
        return reply.getLogIndex();
    }

    /** The leader's replica id now, or null while there is none. */
    public String leaderId() {
        RaftPeerId leader = info().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    @Override
    public ReplicaStatus self() {
        DivisionInfo info = info();
        // a leader not yet ready takes no appends: to the others it is still a candidate
        ReplicaStatus.Role role = info.isLeader() && !info.isLeaderReady() ? ReplicaStatus.Role.CANDIDATE
                : role(info.getCurrentRole());
        long commit = commitIndex();
        return new ReplicaStatus(config.self(), config.replicas().get(config.self()), role, info.getCurrentTerm(),
                commit, info.getLastAppliedIndex(), info.getLastAppliedIndex() >= commit ? 0 : -1, 0);
    }

    @Override
    public List<ReplicaStatus> replicas() {
        DivisionInfo info = info();
        RoleInfoProto roles = info.getRoleInfoProto();
        long[] matched = info.isLeader() ? info.getFollowerMatchIndices() : new long[0];
        List<ServerRpcProto> followers = roles.hasLeaderInfo() ? roles.getLeaderInfo().getFollowerInfoList() : List.of();
        String leader = leaderId();
        long commit = commitIndex();
        List<ReplicaStatus> out = new ArrayList<>();
        for (Map.Entry<String, String> r : config.replicas().entrySet()) {
            if (r.getKey().equals(config.self())) {
                out.add(self());
                continue;
            }
            long applied = -1;
            long contact = -1;
            for (int i = 0; i < followers.size(); i++) {
                if (followers.get(i).getId().getId().toStringUtf8().equals(r.getKey())) {
                    contact = followers.get(i).getLastRpcElapsedTimeMs();
                    applied = i < matched.length ? matched[i] : -1;
                }
            }
            if (roles.hasFollowerInfo() && r.getKey().equals(leader)) {
                contact = roles.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
            }
            ReplicaStatus.Role role = r.getKey().equals(leader) ? ReplicaStatus.Role.LEADER
                    : leader != null ? ReplicaStatus.Role.FOLLOWER : ReplicaStatus.Role.UNKNOWN;
            long lag = -1;
            if (info.isLeader()) {
                Long since = caughtUpAt.get(r.getKey());
                lag = applied >= commit ? 0 : since == null ? -1 : (System.nanoTime() - since) / 1_000_000;
            }
            out.add(new ReplicaStatus(r.getKey(), r.getValue(), role, info.getCurrentTerm(), commit, applied, lag,
                    contact));
        }
        return out;
    }

    private long commitIndex() {
        try {
            return server.getDivision(GROUP).getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    private DivisionInfo info() {
        try {
            return server.getDivision(GROUP).getInfo();
        } catch (IOException e) {
            throw new IllegalStateException("this master's consensus server is gone: " + e.getMessage(), e);
        }
    }

    private static ReplicaStatus.Role role(RaftPeerRole role) {
        return switch (role) {
            case LEADER -> ReplicaStatus.Role.LEADER;
            case FOLLOWER -> ReplicaStatus.Role.FOLLOWER;
            case CANDIDATE -> ReplicaStatus.Role.CANDIDATE;
            default -> ReplicaStatus.Role.UNKNOWN;
        };
    }

    @Override
    public void close() throws IOException {
        lease.close();
        server.close();
    }
}
