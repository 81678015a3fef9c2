package sdm.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.junit.jupiter.api.Test;

/** How long ago a majority answered a leader, from what Ratis says of each follower. */
class MajorityAnswerTest {

    private static RoleInfoProto leaderHeardAgo(long... ms) {
        LeaderInfoProto.Builder leader = LeaderInfoProto.newBuilder().setTerm(3);
        for (long m : ms) {
            leader.addFollowerInfo(ServerRpcProto.newBuilder().setLastRpcElapsedTimeMs(m));
        }
        return RoleInfoProto.newBuilder().setLeaderInfo(leader).build();
    }

    @Test
    void ofThreeMastersTheLeaderNeedsTheFresherFollower() {
        assertThat(RatisLog.majorityAnsweredAgoMs(leaderHeardAgo(900, 40))).isEqualTo(40);
    }

    @Test
    void ofFiveMastersTheLeaderNeedsTheSecondFreshestFollower() {
        assertThat(RatisLog.majorityAnsweredAgoMs(leaderHeardAgo(700, 10, 5000, 120))).isEqualTo(120);
    }

    @Test
    void aLeaderWithoutFollowersIsItsOwnMajority() {
        assertThat(RatisLog.majorityAnsweredAgoMs(leaderHeardAgo())).isZero();
    }

    @Test
    void aServerThatDoesNotLeadHasNoMajority() {
        assertThat(RatisLog.majorityAnsweredAgoMs(RoleInfoProto.getDefaultInstance())).isEqualTo(-1);
    }
}
