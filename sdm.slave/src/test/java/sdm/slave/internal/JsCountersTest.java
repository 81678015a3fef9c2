package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class JsCountersTest {

    @Test
    void eachProgramHasSixCountersNamedAsTheMasterTakesThem() {
        JsCounters c = new JsCounters();
        c.add("calc", JsCounters.Kind.POSTS_QUEUED, 3);
        c.add("calc", JsCounters.Kind.CALLS_REFUSED, 1);
        assertThat(c.snapshot(256)).containsExactly(Map.entry("js.calc.postsQueued", 3L),
                Map.entry("js.calc.postsDropped", 0L), Map.entry("js.calc.postsExpired", 0L),
                Map.entry("js.calc.postsSent", 0L), Map.entry("js.calc.callsMade", 0L),
                Map.entry("js.calc.callsRefused", 1L));
        assertThat(c.snapshot(256).keySet()).allMatch(k -> k.matches(
                "js\\.[a-z][a-z0-9-]{0,62}\\.(postsQueued|postsDropped|postsExpired|postsSent|callsMade|callsRefused)"));
    }

    @Test
    void whatDoesNotFitIsLeftOutByWholePrograms() {
        JsCounters c = new JsCounters();
        for (String p : new String[] {"a", "b", "c"}) {
            c.add(p, JsCounters.Kind.CALLS_MADE, 1);
        }
        assertThat(c.snapshot(17)).hasSize(12).containsKeys("js.a.callsMade", "js.b.callsMade")
                .doesNotContainKey("js.c.callsMade");
    }
}
