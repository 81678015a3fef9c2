package sdm.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PooledFutureTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "stages"));

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void stagesAddedBeforeOrAfterCompletionRunOnThePoolNeverOnTheCompletingThread() throws Exception {
        PooledFuture<Integer> f = new PooledFuture<>(pool);
        List<String> threads = new CopyOnWriteArrayList<>();
        CompletableFuture<?> before = CompletableFuture.allOf(
                f.thenApply(v -> threads.add("thenApply " + Thread.currentThread().getName())),
                f.thenAccept(v -> threads.add("thenAccept " + Thread.currentThread().getName())),
                f.whenComplete((v, e) -> threads.add("whenComplete " + Thread.currentThread().getName())),
                f.handle((v, e) -> threads.add("handle " + Thread.currentThread().getName())),
                f.thenCompose(v -> {
                    threads.add("thenCompose " + Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(v);
                }),
                f.thenApply(v -> v + 1).thenRun(() -> threads.add("chained thenRun " + Thread.currentThread().getName())));
        Thread completer = new Thread(() -> f.complete(41), "socket");
        completer.start();
        completer.join();
        before.get(5, TimeUnit.SECONDS);
        f.thenRun(() -> threads.add("after completion " + Thread.currentThread().getName())).get(5, TimeUnit.SECONDS);
        assertEquals(7, threads.size(), threads.toString());
        assertTrue(threads.stream().allMatch(t -> t.endsWith(" stages")), threads.toString());
    }

    @Test
    void aBlockedCallerIsWokenWithTheValue() throws Exception {
        PooledFuture<String> f = new PooledFuture<>(pool);
        Thread completer = new Thread(() -> f.complete("done"), "socket");
        completer.start();
        assertEquals("done", f.get(5, TimeUnit.SECONDS));
        completer.join();
    }

    @Test
    void failuresReachExceptionallyOnThePool() throws Exception {
        PooledFuture<String> f = new PooledFuture<>(pool);
        CompletableFuture<String> recovered = f.exceptionally(e -> e.getMessage() + " on " + Thread.currentThread().getName());
        f.completeExceptionally(new IllegalStateException("boom"));
        assertEquals("boom on stages", recovered.get(5, TimeUnit.SECONDS));
    }
}
