package sdm.bench.probe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.ProgramCalls;

/**
 * Installed in the master by {@code bin/bench}: measures native calls through the
 * {@link ProgramCalls} API itself, the path the shell and the JavaScript runtime take. A bundle
 * of its own, so that the master loads nothing of the harness.
 */
@Component(service = CallProbe.class, property = {
        "osgi.command.scope=bench",
        "osgi.command.function=calls" })
public final class CallProbe {

    @Reference
    private ProgramCalls calls;

    @Descriptor("time calls of FUNCTION(1, 2) of PROGRAM on one node: sequential round trips, then a fixed number in flight")
    public String calls(
            @Descriptor("calls to time one after the other") @Parameter(names = "--count", absentValue = "20000") int count,
            @Descriptor("calls kept in flight for the throughput run") @Parameter(names = "--inflight", absentValue = "64")
            int inflight,
            @Descriptor("calls in the throughput run") @Parameter(names = "--burst", absentValue = "50000") int burst,
            @Descriptor("also the distribution of the mean of each N sequential calls (0: not)")
            @Parameter(names = "--batch", absentValue = "0") int batch,
            @Descriptor("the program") String program,
            @Descriptor("the function, taking two ints") String function,
            @Descriptor("the node") String node) throws Exception {
        Set<String> nodes = Set.of(node);
        List<Integer> args = List.of(1, 2);
        Duration timeout = Duration.ofSeconds(10);
        for (int i = 0; i < Math.max(2_000, count / 10); i++) {
            check(calls.call(program, function, args, nodes, timeout).get(), node);
        }
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            check(calls.call(program, function, args, nodes, timeout).get(), node);
            nanos[i] = System.nanoTime() - start;
        }
        Stats sequential = Stats.of(nanos, count / (sum(nanos) / 1e9));
        String batches = batch > 0 ? ",\"batches\":" + Stats.batches(nanos, batch).json() : "";

        Semaphore window = new Semaphore(inflight);
        AtomicLong failures = new AtomicLong();
        long[] inFlightNanos = new long[burst];
        long started = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            window.acquire();
            int index = i;
            long t = System.nanoTime();
            CompletableFuture<Map<String, CallResult>> f = calls.call(program, function, args, nodes, timeout);
            f.whenComplete((r, e) -> {
                inFlightNanos[index] = System.nanoTime() - t;
                if (e != null || !r.get(node).ok()) {
                    failures.incrementAndGet();
                }
                window.release();
            });
        }
        if (!window.tryAcquire(inflight, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("calls in flight did not finish");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " calls failed in the throughput run");
        }
        Stats concurrent = Stats.of(inFlightNanos, burst / seconds);
        return "{\"sequential\":" + sequential.json() + ",\"inflight\":" + concurrent.json() + batches + "}";
    }

    private static void check(Map<String, CallResult> results, String node) throws CallException {
        CallResult r = results.get(node);
        if (r == null || !r.ok()) {
            throw new CallException("call failed: " + (r == null ? "no result" : r.error()));
        }
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }
}
