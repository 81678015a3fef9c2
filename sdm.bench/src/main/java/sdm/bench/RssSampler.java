package sdm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The resident memory of some processes while something happens to them: each one's RSS before,
 * its highest {@code VmRSS} read every {@value #PERIOD_MS} ms by a thread of its own, and its
 * {@code VmHWM}, reset at the start (writing 5 to {@code /proc/PID/clear_refs}) so that it is the
 * kernel's exact peak over the interval, short spikes between two samples included. Where the
 * reset is refused the peak since the process started is reported, and {@link #hwmReset} says so.
 */
final class RssSampler implements AutoCloseable {

    private static final long PERIOD_MS = 10;

    /** One process over the interval, in MiB (the kernel's kB / 1024). */
    record Peak(long pid, double idleMb, double sampledMb, double hwmMb) {
    }

    private final long[] pids;
    private final double[] idle;
    private final double[] sampled;
    private final boolean hwmReset;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private int samples;

    private RssSampler(List<Long> pids) throws IOException {
        this.pids = pids.stream().mapToLong(Long::longValue).toArray();
        this.idle = new double[this.pids.length];
        this.sampled = new double[this.pids.length];
        boolean reset = true;
        for (int i = 0; i < this.pids.length; i++) {
            idle[i] = read(this.pids[i], "VmRSS:");
            sampled[i] = idle[i];
            reset &= resetHwm(this.pids[i]);
        }
        this.hwmReset = reset;
        this.thread = Thread.ofPlatform().name("rss-sampler").daemon().start(this::sample);
    }

    /** Reads every process's RSS now, resets its peak, and samples it until {@link #close()}. */
    static RssSampler start(List<Long> pids) throws IOException {
        return new RssSampler(pids);
    }

    private void sample() {
        while (running.get()) {
            for (int i = 0; i < pids.length; i++) {
                try {
                    sampled[i] = Math.max(sampled[i], read(pids[i], "VmRSS:"));
                } catch (IOException e) {
                    // the process is gone: what it had stays the peak
                }
            }
            samples++;
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops sampling and returns each process's figures, in the order of the pids given. */
    List<Peak> stop() throws IOException {
        close();
        List<Peak> out = new ArrayList<>();
        for (int i = 0; i < pids.length; i++) {
            out.add(new Peak(pids[i], idle[i], sampled[i], read(pids[i], "VmHWM:")));
        }
        return out;
    }

    /** Whether every VmHWM was reset at the start (if not, a peak may date from before). */
    boolean hwmReset() {
        return hwmReset;
    }

    /** How many rounds of samples were taken (a busy machine takes fewer than one per period). */
    int samples() {
        return samples;
    }

    @Override
    public void close() {
        if (running.getAndSet(false)) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean resetHwm(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static double read(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no " + field + " for process " + pid);
    }
}
