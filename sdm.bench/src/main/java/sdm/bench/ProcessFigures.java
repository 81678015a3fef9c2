package sdm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What a benchmark reads of another process on this machine: CPU time from /proc, heap through jcmd. */
final class ProcessFigures {

    private static final Pattern HEAP = Pattern.compile("total (?:reserved )?(\\d+)K, committed (\\d+)K, used (\\d+)K");
    private static final Pattern SERIAL_OR_PARALLEL = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static long ticksPerSecond;

    private ProcessFigures() {
    }

    /** User plus system CPU time of a process and all its threads so far, in ms. */
    static long cpuMs(long pid) throws IOException {
        return statCpuMs(Path.of("/proc/" + pid + "/stat"));
    }

    /**
     * CPU time so far of each thread of a process, in ms, summed by thread name with its final
     * number dropped (the two {@code iothread-2}, {@code iothread-3} are {@code iothread}); threads
     * that ended are missing.
     */
    static Map<String, Long> threadCpuMs(long pid) throws IOException {
        Map<String, Long> byName = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[#-]?[0-9]+$", "");
                    byName.merge(name, statCpuMs(task.resolve("stat")), Long::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return byName;
    }

    private static long statCpuMs(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        // the command name (field 2) may hold spaces: count fields after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        return ticks * 1000 / ticksPerSecond();
    }

    private static synchronized long ticksPerSecond() {
        if (ticksPerSecond == 0) {
            ticksPerSecond = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor() == 0 && out.matches("\\d+")) {
                    ticksPerSecond = Long.parseLong(out);
                }
            } catch (IOException e) {
                // keep 100, the Linux default
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ticksPerSecond;
    }

    /** Heap of a JVM after a full collection: {@code [used MB, committed MB]}, through {@code jcmd}. */
    static double[] heapAfterGcMb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        return heapMb(pid);
    }

    /** Heap of a JVM now: {@code [used MB, committed MB]}, through {@code jcmd GC.heap_info}. */
    static double[] heapMb(long pid) throws IOException, InterruptedException {
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP.matcher(info);
        if (m.find()) {
            return new double[] {mb(Long.parseLong(m.group(3))), mb(Long.parseLong(m.group(2)))};
        }
        Matcher s = SERIAL_OR_PARALLEL.matcher(info);
        if (s.find()) {
            return new double[] {mb(Long.parseLong(s.group(2))), mb(Long.parseLong(s.group(1)))};
        }
        throw new IOException("cannot read the heap of process " + pid + " from jcmd GC.heap_info: " + info.strip());
    }

    private static double mb(long kb) {
        return Math.round(kb / 102.4) / 10.0;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(List.of(jcmd.toString(), String.valueOf(pid), command)).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
        }
        return out;
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, {@code KILL}) to a process. */
    static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed: " + out.strip());
        }
    }
}
