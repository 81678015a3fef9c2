package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CallThreadsTest {

    @Test
    void liveThreadsHoldDistinctSlotsThatTheirNamesCarryAndAFreedSlotIsTakenAgain() throws Exception {
        CallThreads threads = new CallThreads();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger firstSlot = new AtomicInteger(-1);
        Thread first = threads.newThread(() -> {
            firstSlot.set(threads.slot());
            await(release);
        });
        Thread second = threads.newThread(() -> await(release));
        assertThat(first.getName()).isEqualTo(CallThreads.PREFIX + "0");
        assertThat(second.getName()).isEqualTo(CallThreads.PREFIX + "1");
        first.start();
        second.start();
        release.countDown();
        first.join(10_000);
        second.join(10_000);
        assertThat(firstSlot.get()).isEqualTo(0);
        assertThat(threads.newThread(() -> { }).getName()).isEqualTo(CallThreads.PREFIX + "0");
        assertThat(CallThreads.slotOf(CallThreads.PREFIX + "7")).isEqualTo(7);
        assertThat(CallThreads.slotOf("sdm-programs")).isEqualTo(-1);
        assertThat(threads.named("link").newThread(() -> { }).getName()).isEqualTo(CallThreads.PREFIX + "1-link");
        assertThat(CallThreads.slotOf(CallThreads.PREFIX + "3-link")).isEqualTo(3);
        assertThat(CallThreads.slotOf(CallThreads.PREFIX + "3x")).isEqualTo(-1);
        assertThat(CallThreads.slotOf(CallThreads.PREFIX + "-link")).isEqualTo(-1);
        assertThat(threads.slot()).as("not a call thread").isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
