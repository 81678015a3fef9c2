package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.transport.zmq.Message;

/** Which calls of a real gcc-built library run on the link's own thread. */
class InlineNativeCallsTest {

    @TempDir
    Path root;
    NativeFixture n;
    final CallThreads threads = new CallThreads();

    @BeforeEach
    void load() throws Exception {
        n = new NativeFixture(root);
        n.loadTestLibrary();
    }

    @AfterEach
    void close() throws Exception {
        n.close();
    }

    /** What {@code callInline} answers on a thread of the link's kind, and that thread's name. */
    private Message.CallResult inline(String function, Object... args) throws InterruptedException {
        AtomicReference<Message.CallResult> result = new AtomicReference<>();
        Message.Call call = new Message.Call("i", NativeFixture.PROGRAM, function, List.of(args), 10_000);
        Thread t = threads.named("link").newThread(() -> result.set(n.natives.calls().callInline(call)));
        t.start();
        t.join(10_000);
        return result.get();
    }

    /** Calls on the pool until the function runs inline (its first calls, still cold, may be slow); how many it took. */
    private int warm(String function, Object... args) throws InterruptedException {
        for (int calls = 0; calls < 2_000; calls++) {
            if (inline(function, args) != null) {
                return calls;
            }
            n.call(function, args);
        }
        throw new AssertionError(function + " never ran inline");
    }

    @Test
    void aFunctionRunsInlineOnceItsLastCallsWereShort() throws Exception {
        assertThat(inline("add", 1, 2)).as("not known yet").isNull();
        assertThat(warm("add", 1, 2)).isGreaterThanOrEqualTo(CallSpeed.STREAK);
        Message.CallResult r = inline("add", 40, 2);
        // as below: a warm-up's last inline call over 100 µs on a busy machine ends the streak again
        for (int attempt = 0; attempt < 20 && r == null; attempt++) {
            warm("add", 1, 2);
            r = inline("add", 40, 2);
        }
        assertThat(r).as("taken inline after a warm-up").isNotNull();
        assertThat(r.ok()).isTrue();
        assertThat(r.value()).isEqualTo(42);
        assertThat(n.natives.calls().callInline(new Message.Call("t", NativeFixture.PROGRAM, "add", List.of(1, 1), 10_000)))
                .as("on a thread with no crash-mark slot").isNull();
        assertThat(inline("nosuch")).as("an unknown function goes to the pool, which explains").isNull();
    }

    @Test
    void oneLongCallSendsTheFunctionBackToThePool() throws Exception {
        Path open = Files.writeString(root.resolve("open"), "");
        Path later = root.resolve("later");
        Message.CallResult slow = null;
        // on a busy machine the warm-up's own last inline call may take over 100 µs and end the
        // streak again: then the slow call is not taken inline, and the test warms up again
        for (int attempt = 0; attempt < 20 && slow == null; attempt++) {
            Files.deleteIfExists(later);
            warm("wait_for", open.toString());
            Thread opener = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    Files.writeString(later, "");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            opener.start();
            slow = inline("wait_for", later.toString());
            opener.join();
        }
        assertThat(slow).as("taken inline after a warm-up").isNotNull();
        assertThat(slow.value()).as("ran inline, and waited").isEqualTo(true);
        assertThat(inline("wait_for", open.toString())).as("back to the pool").isNull();
    }
}
