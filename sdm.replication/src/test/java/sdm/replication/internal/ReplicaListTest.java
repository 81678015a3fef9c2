package sdm.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicaListTest {

    @Test
    void everyMasterNamesTheReplicasAlikeAndFindsItself() {
        ReplicaList b = ReplicaList.parse("h1:7700, h2:7700,h3:7710", "h2:7700");
        assertThat(b.self()).isEqualTo("m2");
        assertThat(b.consensus()).containsExactly(java.util.Map.entry("m1", "h1:7701"), java.util.Map.entry("m2",
                "h2:7701"), java.util.Map.entry("m3", "h3:7711"));
        assertThat(b.endpoints()).containsEntry("m3", "h3:7710");
        assertThat(ReplicaList.parse("h1:7700,h2:7700,h3:7710", "h3:7710").consensus())
                .isEqualTo(b.consensus());
    }

    @Test
    void aWrongListIsOneLineNamingWhatIsWrong() {
        assertThatThrownBy(() -> ReplicaList.parse("a:1,b:2", "a:1")).hasMessageContaining("odd number of masters");
        assertThatThrownBy(() -> ReplicaList.parse("a:1,b:x,c:3", "a:1")).hasMessageContaining("replica 'b:x'");
        assertThatThrownBy(() -> ReplicaList.parse("a:1,a:1,c:3", "a:1")).hasMessage("replica a:1 is listed twice");
        assertThatThrownBy(() -> ReplicaList.parse("a:1,b:2,c:65535", "a:1")).hasMessageContaining("65534");
        assertThatThrownBy(() -> ReplicaList.parse("a:1,b:2,c:3", "d:4")).hasMessageStartingWith(
                "this master binds d:4, which is not among the replicas");
    }
}
