package sdm.bench.probe;

import java.util.Arrays;

/** Round-trip times in nanoseconds, and what a benchmark prints of them. */
public record Stats(long count, double p50Micros, double p90Micros, double p99Micros, double perSecond) {

    public static Stats of(long[] nanos, double perSecond) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Stats(sorted.length, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), perSecond);
    }

    /**
     * The distribution of batch means: the mean of each {@code batch} consecutive values (a last
     * partial batch is left out), as a clock of coarse resolution sees a run timed by batches;
     * {@code perSecond} is over the batches' values.
     */
    public static Stats batches(long[] nanos, int batch) {
        long[] means = new long[nanos.length / batch];
        long total = 0;
        for (int b = 0; b < means.length; b++) {
            long sum = 0;
            for (int i = b * batch; i < (b + 1) * batch; i++) {
                sum += nanos[i];
            }
            total += sum;
            means[b] = sum / batch;
        }
        return of(means, total == 0 ? 0 : (double) means.length * batch / (total / 1e9));
    }

    private static double at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1_000.0;
    }

    /** One line of JSON, so that a harness in another JVM can read it back. */
    public String json() {
        return String.format(java.util.Locale.ROOT,
                "{\"count\":%d,\"p50Micros\":%.1f,\"p90Micros\":%.1f,\"p99Micros\":%.1f,\"perSecond\":%.0f}",
                count, p50Micros, p90Micros, p99Micros, perSecond);
    }
}
