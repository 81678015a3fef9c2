package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.transport.zmq.Message;
import sdm.transport.zmq.Post;

/** A real library posting to the program's exports through {@code sdm_js_api.post}. */
class JsPostsTest {

    @TempDir
    Path root;
    JsFixture f;

    @BeforeEach
    void load() throws Exception {
        f = new JsFixture(root);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    private int post(String function, String args, int ttlMs) {
        return (Integer) f.run("post_here", function, args, ttlMs);
    }

    private void awaitPosts(int n) {
        NativeFixture.await(n + " posts at the master", () -> f.master.posts().size() >= n);
    }

    @Test
    void postsArriveOnceInTheOrderTheyWereMadeInFewBatches() {
        assertThat(f.run("post_many", "note", 0, 3_000, 60_000)).as("posts refused").isEqualTo(0);
        awaitPosts(3_000);
        List<Post> posts = f.master.posts();
        assertThat(posts).hasSize(3_000);
        assertThat(posts).extracting(Post::args).containsExactlyElementsOf(
                IntStream.range(0, 3_000).mapToObj(i -> List.<Object>of(i)).toList());
        assertThat(posts).extracting(Post::seq).isSorted().doesNotHaveDuplicates();
        assertThat(posts).allSatisfy(p -> {
            assertThat(p.program()).isEqualTo(NativeFixture.PROGRAM);
            assertThat(p.function()).isEqualTo("note");
            assertThat(p.ttlMs()).isEqualTo(60_000);
        });
        List<Message.Posts> batches = f.master.batches();
        assertThat(batches).allSatisfy(b -> assertThat(b.posts()).hasSizeLessThanOrEqualTo(256));
        assertThat(batches).as("batches of many posts, not one each").hasSizeLessThan(100);
        NativeFixture.await("every post acknowledged", () -> f.counter(JsCounters.Kind.POSTS_SENT) == 3_000);
        assertThat(f.counter(JsCounters.Kind.POSTS_QUEUED)).isEqualTo(3_000);
    }

    @Test
    void postsMadeWhileTheMasterIsAwayGoWhenItIsBack() {
        f.js.onDisconnected();
        assertThat(post("note", "[1]", 60_000)).isZero();
        assertThat(f.js.posts().waiting()).isEqualTo(1);
        f.js.onConnected();
        awaitPosts(1);
        assertThat(f.master.posts()).extracting(Post::args).containsExactly(List.of(1));
    }

    @Test
    void aTimeToLiveOfZeroIsForAConnectedMasterOnlyAndLastsTenSeconds() {
        f.js.onDisconnected();
        assertThat(post("note", "[1]", 0)).isEqualTo(SdmCodes.ENOTCONN);
        f.js.onConnected();
        assertThat(post("note", "[2]", 0)).isZero();
        awaitPosts(1);
        assertThat(f.master.posts()).singleElement().satisfies(p -> {
            assertThat(p.args()).containsExactly(2);
            assertThat(p.ttlMs()).isEqualTo(JsBridge.CONNECTED_ONLY_TTL_MS);
        });
    }

    @Test
    void postsAreCheckedAsCallsAreAndRefusalsAreCounted() {
        assertThat(post("NULL", "[1]", 1_000)).isEqualTo(SdmCodes.EINVAL);
        assertThat(post("note", "NULL", 1_000)).isEqualTo(SdmCodes.EINVAL);
        assertThat(post("note", "[1]", -1)).isEqualTo(SdmCodes.EINVAL);
        assertThat(post("note", "[1]", 86_400_001)).isEqualTo(SdmCodes.EINVAL);
        assertThat(post("nope", "[1]", 1_000)).isEqualTo(SdmCodes.ENOEXPORT);
        assertThat(post("note", "[\"x\"]", 1_000)).isEqualTo(SdmCodes.EARGS);
        assertThat(post("note", "[1", 1_000)).isEqualTo(SdmCodes.EARGS);
        assertThat(post("note", "[" + " ".repeat(ExportArgs.MAX_BYTES) + "1]", 1_000)).isEqualTo(SdmCodes.EARGS);
        assertThat(f.counter(JsCounters.Kind.CALLS_REFUSED)).isEqualTo(8);
        assertThat(f.counter(JsCounters.Kind.POSTS_QUEUED)).isZero();
        assertThat(post("note", "[1]", 86_400_000)).isZero();
    }

    /**
     * 48,000 posts in six rounds, each acknowledged in full: nothing dropped, the window kept.
     * How fast is for {@code bin/bench upcalls}; the rate is printed.
     */
    @Test
    void aSlavePostsTensOfThousandsWithinItsWindow() {
        int rounds = 6;
        int each = 8_000; // below the queue's capacity: nothing is dropped
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            assertThat(f.run("post_many", "note", r * each, each, 60_000)).isEqualTo(0);
            long acknowledged = (long) (r + 1) * each;
            NativeFixture.await("round " + r + " acknowledged", () -> f.counter(JsCounters.Kind.POSTS_SENT) == acknowledged);
        }
        double perSecond = rounds * each / ((System.nanoTime() - start) / 1e9);
        System.out.printf("posts: %.0f/s in %d batches, at most %d unacknowledged%n", perSecond,
                f.master.batches().size(), f.master.mostUnacknowledged());
        assertThat(f.counter(JsCounters.Kind.POSTS_DROPPED)).isZero();
        assertThat(f.master.mostUnacknowledged()).isLessThanOrEqualTo(PostQueue.WINDOW);
    }
}
