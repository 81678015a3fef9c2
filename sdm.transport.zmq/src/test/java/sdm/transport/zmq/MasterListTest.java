package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which master a slave dials next, as the masters answer. */
class MasterListTest {

    private final MasterList list = new MasterList(List.of("a:1", "b:1", "c:1"));

    @Test
    void aFollowerSendsTheSlaveToTheLeaderItNames() {
        list.notLeader("a:1", "c:1");
        assertThat(list.current()).isEqualTo("c:1");
    }

    @Test
    void aFollowerThatKnowsNoLeaderGivesWayToTheNextMaster() {
        list.notLeader("a:1", "");
        assertThat(list.current()).isEqualTo("b:1");
    }

    @Test
    void aMasterThatNamesItselfIsAboutToServeAndIsDialedAgain() {
        list.notLeader("a:1", "a:1");
        assertThat(list.current()).isEqualTo("a:1");
    }

    @Test
    void aMasterThatGoesOnNamingItselfGivesWayToTheNext() {
        list.notLeader("a:1", "a:1");
        list.notLeader("a:1", "a:1");
        list.notLeader("a:1", "a:1");
        assertThat(list.current()).isEqualTo("b:1");
    }

    @Test
    void aWelcomeOfAnOlderTermIsRefused() {
        assertThat(list.welcomed("a:1", List.of("a:1", "b:1", "c:1"), 4)).isTrue();
        assertThat(list.welcomed("a:1", List.of(), 3)).isFalse();
        assertThat(list.current()).isEqualTo("b:1");
    }
}
