package sdm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux's {@code /proc} says of a process. */
public final class ProcFs {

    private ProcFs() {
    }

    /** The process's resident set size in MiB, to one decimal. */
    public static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 102.4) / 10.0;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    /** The number of file descriptors the process has open. */
    public static int openFiles(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }
}
