package sdm.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One process cut off from every TCP peer on this host while the others keep talking, as behind
 * a cut cable: its peers hear silence, not a reset. Two kinds of iptables rule do it. The local
 * ports of every socket it holds when the cut opens (its listening ports, whose accepted
 * connections share them, and the ephemeral ports of its outgoing connections) are dropped both
 * ways; and the process is moved into a cgroup (v2) of its own whose sockets are dropped, which
 * catches the connections it opens later (a socket keeps the cgroup it was created in, so the
 * port rules are what catch the older ones). {@link #close} removes the rules, moves the process
 * back and deletes the cgroup; a shutdown hook does the same, so that no run leaves a rule behind.
 */
public final class ProcessBlackHole implements AutoCloseable {

    private static final Path CGROUP2 = cgroup2Root();
    private static final int MULTIPORT_LIMIT = 15;

    private final long pid;
    private final String name = "sdm-cut-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final Thread hook = new Thread(this::close, "black-hole-removal");
    private final List<List<String>> rules = new ArrayList<>();
    private String home;

    /** A black hole for {@code pid}, not yet open. */
    public ProcessBlackHole(long pid) {
        this.pid = pid;
    }

    /** Whether this machine can cut a process off: iptables as root and a cgroup v2 hierarchy. */
    public static boolean available() {
        return CGROUP2 != null && Iptables.available();
    }

    public synchronized boolean isOpen() {
        return !rules.isEmpty();
    }

    /** Cuts the process off from now on, until {@link #close}. */
    public synchronized void open() throws IOException {
        if (!rules.isEmpty()) {
            return;
        }
        if (CGROUP2 == null) {
            throw new IOException("no cgroup v2 hierarchy mounted here: cannot cut one process off");
        }
        home = cgroupOf(pid);
        Path group = CGROUP2.resolve(name);
        Files.createDirectories(group);
        Runtime.getRuntime().addShutdownHook(hook);
        List<Integer> ports;
        try {
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
            ports = List.copyOf(localPorts(pid));
        } catch (IOException e) {
            close();
            throw e;
        }
        List<List<String>> wanted = new ArrayList<>();
        wanted.add(List.of("OUTPUT", "-p", "tcp", "-m", "cgroup", "--path", name, "-j", "DROP"));
        for (int i = 0; i < ports.size(); i += MULTIPORT_LIMIT) {
            String batch = ports.subList(i, Math.min(ports.size(), i + MULTIPORT_LIMIT)).stream()
                    .map(String::valueOf).collect(Collectors.joining(","));
            wanted.add(List.of("OUTPUT", "-p", "tcp", "-m", "multiport", "--ports", batch, "-j", "DROP"));
        }
        try {
            Iptables.insert(wanted);
        } catch (IOException e) {
            close();
            throw e;
        }
        rules.addAll(wanted);
    }

    /** Heals the cut: the rules removed, the process back in its cgroup, the cgroup deleted. */
    @Override
    public synchronized void close() {
        Iptables.delete(rules);
        rules.clear();
        Path group = CGROUP2 == null ? null : CGROUP2.resolve(name);
        if (group != null && Files.isDirectory(group)) {
            try {
                if (ProcessHandle.of(pid).isPresent()) {
                    Files.writeString(CGROUP2.resolve(home.substring(1)).resolve("cgroup.procs"), Long.toString(pid));
                }
            } catch (IOException e) {
                // it ended meanwhile
            }
            try {
                Files.delete(group);
            } catch (IOException e) {
                System.err.println("could not delete the cgroup " + group + ": " + e.getMessage());
            }
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down, or never added
            }
        }
    }

    /** The local ports of the TCP sockets (v4 and v6) that {@code pid} holds open now. */
    private static Set<Integer> localPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc/" + pid + "/net/" + table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && inodes.contains(f[9])) {
                    String local = f[1];
                    ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** The cgroup v2 path of {@code pid} ({@code /} for the root), from {@code /proc/PID/cgroup}. */
    private static String cgroupOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (line.startsWith("0::")) {
                return line.substring(3);
            }
        }
        return "/";
    }

    private static Path cgroup2Root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    return Path.of(f[1]);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return null;
    }
}
