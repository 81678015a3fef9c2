package sdm.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SelfNamedLeaderTest {

    private final SelfNamedLeader selfNamed = new SelfNamedLeader(2);

    @Test
    void aMasterNamingItselfIsDialedAgainUpToThePatience() {
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
        assertFalse(selfNamed.dialAgain("a:1", "a:1"), "a third time in a row it cannot serve");
        assertTrue(selfNamed.dialAgain("a:1", "a:1"), "the count starts again after moving on");
    }

    @Test
    void anotherLeaderNamedOrNoneIsNotDialedAgainAndStartsTheCountAgain() {
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
        assertFalse(selfNamed.dialAgain("a:1", "b:1"));
        assertFalse(selfNamed.dialAgain("a:1", ""));
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
        selfNamed.reset();
        assertTrue(selfNamed.dialAgain("a:1", "a:1"));
    }
}
