package sdm.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.AdminAccess;
import sdm.transport.zmq.AdminClient;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.NotLeaderAnswer;

/**
 * Three (or five) replicated masters as real processes on 127.0.0.1, each its own port and the
 * next one for consensus, data in {@code work/master-K}: started, killed and found by who leads.
 * Closing stops those still running.
 */
public final class ReplicaSet implements AutoCloseable {

    private final Path work;
    private final List<Integer> ports = new ArrayList<>();
    private final SdmProcess[] processes;
    private final String list;

    public ReplicaSet(Path work, int count) {
        this.work = work;
        for (int i = 0; i < count; i++) {
            ports.add(Ports.freePair());
        }
        this.processes = new SdmProcess[count];
        this.list = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    /** {@code HOST:PORT,...} as every master is started with. */
    public String list() {
        return list;
    }

    public int size() {
        return processes.length;
    }

    public int port(int i) {
        return ports.get(i);
    }

    public Path data(int i) {
        return work.resolve("master-" + (i + 1));
    }

    /** The machine's join token, from master {@code i}'s folder (a leader has written it there). */
    public String joinToken(int i) throws IOException {
        return SdmProcess.joinToken(data(i));
    }

    /** Starts master {@code i} (again), without waiting for anything. */
    public SdmProcess start(int i) throws IOException {
        Files.deleteIfExists(data(i).resolve(NodeFiles.MASTER_ENDPOINT));
        processes[i] = SdmProcess.start(work, Map.of(), "master", "--no-console", "--bind", "127.0.0.1:" + port(i),
                "--replicas", list, "--data", data(i).getFileName().toString());
        return processes[i];
    }

    /**
     * Starts master 1, which makes the machine's consensus key, then the others with a copy of
     * it in their data folders, as an operator would.
     */
    public void startAll() throws Exception {
        start(0);
        for (int i = 1; i < processes.length; i++) {
            startWithKey(i);
        }
    }

    /** Starts master {@code i} with a copy of the consensus key master 1 made (waiting for it). */
    public SdmProcess startWithKey(int i) throws Exception {
        Path key = data(0).resolve(NodeFiles.CONSENSUS_KEY);
        Waits.untilTrue("master 1's consensus key", Duration.ofSeconds(60), () -> Files.exists(key));
        Files.createDirectories(data(i));
        Files.copy(key, data(i).resolve(NodeFiles.CONSENSUS_KEY), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return start(i);
    }

    public SdmProcess process(int i) {
        return processes[i];
    }

    /** SIGKILL to master {@code i}. */
    public void kill(int i) throws InterruptedException {
        processes[i].kill();
    }

    /**
     * The master that leads now, as its admin session answers: the first live one whose
     * {@code sdm:master} runs. Waits up to {@code timeout} for one.
     */
    public int leader(Duration timeout) throws Exception {
        return Waits.until("a master that leads", timeout, Duration.ofMillis(50), this::leaderNow, i -> i >= 0);
    }

    private int leaderNow() {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && processes[i].isAlive() && "leader".equals(answer(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * How master {@code i} answers a command asked of it alone (not followed elsewhere):
     * {@code leader} if it runs it, {@code follower} if it names another, null if it gives no
     * answer within 1.5 s.
     */
    public String answer(int i) {
        if (!Files.exists(data(i).resolve(NodeFiles.MASTER_ENDPOINT))) {
            return null;
        }
        try {
            AdminAccess a = AdminAccess.fromDataFolder(data(i), null);
            Message.AdminReply r = AdminClient.execute(a.address(), a.masterPublicKey(), a.keys(),
                    List.of("sdm:apps"), false, Duration.ofMillis(1_500));
            return r.ok() ? "leader" : null;
        } catch (NotLeaderAnswer e) {
            return "follower";
        } catch (Exception e) {
            return null;
        }
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to master {@code i}. */
    public void signal(int i, String signal) throws Exception {
        SdmProcess.signal(signal, processes[i].pid());
    }

    /** How many program bundles master {@code i} holds in its data folder. */
    public long bundles(int i) throws IOException {
        Path dir = data(i).resolve("programs/bundles");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).count();
        }
    }

    /**
     * The last 60 lines each master (and each process whose data folder is named in
     * {@code others}) logged, Ratis' own lines left out: what a failed test prints.
     */
    public void printLogs(String... others) throws IOException {
        List<String> dirs = new ArrayList<>(List.of(others));
        for (int i = 0; i < processes.length; i++) {
            dirs.add(data(i).getFileName().toString());
        }
        for (String dir : dirs) {
            Path log = work.resolve(dir).resolve("log/sdm.0.log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.contains("ratis")).toList();
                System.out.println("--- " + dir);
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            }
        }
    }

    /** The admin session of master {@code i}, through its data folder. */
    public AdminSession admin(int i) throws IOException {
        return new AdminSession(data(i));
    }

    @Override
    public void close() {
        for (SdmProcess p : processes) {
            if (p != null) {
                p.close();
            }
        }
    }
}
