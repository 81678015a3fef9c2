package sdm.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;

/**
 * {@code bin/sdm}: {@code master}, {@code slave}, {@code local}, {@code client}. Every error a
 * user can cause is one line on stderr and a non-zero exit: 2 for a wrong command line, 1 for
 * anything else.
 */
public final class Main {

    static final String USAGE = """
            usage: sdm COMMAND [OPTIONS]

            commands:
              local   [--slaves N] [--masters 1|3|5] [--no-console] [--bind HOST:PORT] [--data DIR] [--heartbeat MS]
                      [--liveness MS]
                      a master (or replicated masters, two ports apart) and N (default 3) slave
                      processes on this machine
              master  [--bind HOST:PORT] [--data DIR] [--deploy DIR] [--no-console] [--heartbeat MS] [--liveness MS]
                      [--replicas HOST:PORT,HOST:PORT,HOST:PORT]
                      [--parent HOST:PORT (--token TOKEN | --token-file FILE) [--label k=v]...]
                      a master (default port 7700, data in ./sdm-data/master); slaves take its
                      heartbeat interval (default 1000 ms) and liveness timeout (default 3000 ms);
                      with --replicas, one of a machine's masters (each its own --bind among them,
                      the port after it for consensus): the leader serves, the others follow;
                      with --parent, this machine joins that one as one node (the parent's token
                      only on its first start)
              slave   --master HOST:PORT[,HOST:PORT...] (--token TOKEN | --token-file FILE) [--name NAME] [--label k=v]...
                      [--data DIR]
                      a slave that joins that master, or whichever of the machine's masters leads
                      (the token only on its first start)
              client  [--master HOST:PORT[,HOST:PORT...]] [--data DIR] [--json] [--timeout SECONDS] COMMAND [ARGS...]
                      runs one shell command on a running master (the leader, of replicated masters)
                      and prints its output
              pack    DIR [-o FILE]
                      checks a program folder and writes its .jam.zip
              include prints the folder of sdm.h, the header of what C code may call in SDM
                      (gcc -I "$(bin/sdm include)" ...)

            Every command takes --help, which prints this text.
            """;

    /** For folders that hold what only the node's user may read or change. */
    static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /**
     * The files of the deploy folder that FileInstall acts on: {@code *.jam.zip} and
     * {@code sdm.master.cfg} (sdm.master's DeployFolder reports any other).
     */
    static final String DEPLOY_FILTER = "[^/]+\\.jam\\.zip|sdm\\.master\\.cfg";

    private Main() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            code = 2;
        } catch (FelixNode.NodeStartException e) {
            System.err.println("sdm: " + e.getMessage());
            code = 1;
        } catch (Exception e) {
            System.err.println("sdm: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || Set.of("--help", "-h", "help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        boolean help = List.of(args).subList(1, args.length).contains("--help") && !"client".equals(command)
                || "client".equals(command) && args.length > 1 && "--help".equals(args[1]);
        if (help) {
            out.print(USAGE);
            return 0;
        }
        return switch (command) {
            case "master" -> master(args);
            case "slave" -> slave(args);
            case "local" -> new LocalMachine(distribution()).run(args);
            case "client" -> new Client(distribution()).run(args, out, err);
            case "pack" -> new Pack(distribution()).run(args, out, err);
            case "include" -> {
                out.println(distribution().resolve("include"));
                yield 0;
            }
            default -> throw new UsageException("sdm: unknown command '" + command
                    + "' (commands: local, master, slave, client, pack, include; see sdm --help)");
        };
    }

    private static int master(String[] args) throws Exception {
        Options o = Options.parse("master", args, 1, Set.of("--no-console"),
                Set.of("--bind", "--data", "--deploy", "--heartbeat", "--liveness", "--replicas", "--parent", "--token",
                        "--token-file", "--label"), false);
        Path data = Path.of(o.get("--data", NodeFiles.DEFAULT_MASTER_DATA)).toAbsolutePath();
        String bind = Options.hostPort("master", "--bind", o.get("--bind", "0.0.0.0:7700"));
        String replicas = o.get("--replicas", null);
        if (replicas != null) {
            int count = replicas.split(",", -1).length;
            if (count < 3 || count % 2 == 0) {
                throw new UsageException("sdm master: --replicas needs an odd number of masters, 3 at least, not "
                        + count);
            }
            for (String r : replicas.split(",", -1)) {
                Options.hostPort("master", "--replicas", r.strip());
            }
            if (java.util.Arrays.stream(replicas.split(",")).map(String::strip).noneMatch(bind::equals)) {
                throw new UsageException("sdm master: --bind " + bind + " must be one of --replicas " + replicas
                        + " (each master binds its own entry)");
            }
        }
        boolean console = !o.has("--no-console") && System.console() != null;
        Map<String, String> props = masterProperties(data, bind, o.get("--deploy", null));
        props.putAll(timing("master", o));
        if (replicas != null) {
            props.put(NodeProperties.MASTER_REPLICAS, replicas);
        }
        props.putAll(parent(o, data, replicas != null));
        LogSetup.configure(data, "master");
        FelixNode node = FelixNode.start(distribution(), data, FelixNode.Role.MASTER, console, props);
        node.startConsole();
        return runUntilStopped(node, null);
    }

    /** {@code --parent} and what goes with it: this machine as one node of a bigger one. */
    private static Map<String, String> parent(Options o, Path data, boolean replicated) throws UsageException {
        Map<String, String> props = new HashMap<>();
        if (!o.has("--parent")) {
            if (o.has("--token") || o.has("--token-file") || !o.all("--label").isEmpty()) {
                throw new UsageException("sdm master: --token, --token-file and --label go with --parent HOST:PORT");
            }
            return props;
        }
        if (replicated) {
            throw new UsageException("sdm master: --parent takes a single master, not one of --replicas");
        }
        String parent = Options.hostPort("master", "--parent", o.get("--parent", null));
        if (parent.equals(o.get("--bind", "0.0.0.0:7700"))) {
            throw new UsageException("sdm master: --parent " + parent + " is this master's own --bind");
        }
        props.put(NodeProperties.PARENT, parent);
        String token = token("master", o, data.resolve("parent.token"), "the parent's DATA/join.token");
        if (token != null) {
            props.put(NodeProperties.PARENT_TOKEN, token);
        }
        props.put(NodeProperties.PARENT_LABELS, labels("master", o));
        return props;
    }

    /**
     * The join token of {@code --token} or {@code --token-file}, or null if none is given and
     * {@code kept} holds one from an earlier start.
     */
    private static String token(String command, Options o, Path kept, String where) throws UsageException {
        if (o.has("--token") && o.has("--token-file")) {
            throw new UsageException("sdm " + command + ": give --token or --token-file, not both");
        }
        if (o.has("--token")) {
            return o.get("--token", null);
        }
        if (o.has("--token-file")) {
            // a token in a file stays out of the process list, where --token shows it to every user
            Path file = Path.of(o.get("--token-file", null));
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UsageException("sdm " + command + ": cannot read --token-file " + file + ": " + e.getMessage());
            }
        }
        if (!Files.exists(kept)) {
            throw new UsageException("sdm " + command + ": --token TOKEN or --token-file FILE is required (" + where
                    + ")");
        }
        return null;
    }

    /** The {@code --label k=v} flags, joined by commas. */
    private static String labels(String command, Options o) throws UsageException {
        for (String label : o.all("--label")) {
            if (label.indexOf('=') <= 0 || label.contains(",")) {
                throw new UsageException("sdm " + command + ": --label wants k=v, got '" + label + "'");
            }
        }
        return String.join(",", o.all("--label"));
    }

    /**
     * {@code --heartbeat MS} and {@code --liveness MS} as framework properties, checked; without a
     * flag, the system properties {@code sdm.heartbeat.ms} and {@code sdm.liveness.ms} (through
     * {@code SDM_JAVA_OPTS}), which the framework properties would otherwise hide.
     */
    static Map<String, String> timing(String command, Options o) throws UsageException {
        Map<String, String> props = new HashMap<>();
        long heartbeat = positive(command, o.has("--heartbeat") ? "--heartbeat" : "-Dsdm.heartbeat.ms",
                o.get("--heartbeat", System.getProperty(NodeProperties.HEARTBEAT_MS, "1000")));
        long liveness = positive(command, o.has("--liveness") ? "--liveness" : "-Dsdm.liveness.ms",
                o.get("--liveness", System.getProperty(NodeProperties.LIVENESS_MS, String.valueOf(3 * heartbeat))));
        if (liveness <= heartbeat) {
            throw new UsageException("sdm " + command + ": --liveness (" + liveness + " ms) must be longer than "
                    + "--heartbeat (" + heartbeat + " ms)");
        }
        props.put(NodeProperties.HEARTBEAT_MS, String.valueOf(heartbeat));
        props.put(NodeProperties.LIVENESS_MS, String.valueOf(liveness));
        return props;
    }

    private static long positive(String command, String option, String value) throws UsageException {
        try {
            long n = Long.parseLong(value);
            if (n >= 10 && n <= 3_600_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("sdm " + command + ": " + option + " wants milliseconds from 10 to 3600000, got '"
                + value + "'");
    }

    static Map<String, String> masterProperties(Path data, String bind, String deploy) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put(NodeProperties.MASTER_BIND, bind);
        Path deployDir = deploy == null ? data.resolve("deploy") : Path.of(deploy).toAbsolutePath();
        Files.createDirectories(deployDir, OWNER_ONLY);
        props.put("felix.fileinstall.dir", deployDir.toString());
        props.put("felix.fileinstall.noInitialDelay", "true");
        // FileInstall acts on a file once it looks the same on two polls in a row: a 150 ms poll
        // gives a dropped archive to its installer within 150-300 ms of its last write.
        props.put("felix.fileinstall.poll", "150");
        // programs and the master's own configuration, nothing else: a .cfg of another name would
        // configure any component (org.apache.felix.fileinstall-NAME.cfg, a watcher of any folder
        // that installs plain jars), and a folder would be jarred up and installed as a bundle. The
        // plain scanner skips folders; the NIO one lets a folder whose name matches through.
        props.put("felix.fileinstall.filter", DEPLOY_FILTER);
        props.put("felix.fileinstall.subdir.mode", "skip");
        props.put("felix.fileinstall.disableNio2", "true");
        // FileInstall writes no configuration back to any file
        props.put("felix.fileinstall.enableConfigSave", "false");
        props.put("felix.fileinstall.log.level", "2");
        return props;
    }

    private static int slave(String[] args) throws Exception {
        Options o = Options.parse("slave", args, 1, Set.of(),
                Set.of("--master", "--token", "--token-file", "--name", "--label", "--data", "--supervisor-pid"), false);
        if (!o.has("--master")) {
            throw new UsageException("sdm slave: --master HOST:PORT is required");
        }
        Path data = Path.of(o.get("--data", NodeFiles.DEFAULT_SLAVE_DATA)).toAbsolutePath();
        Map<String, String> props = new HashMap<>();
        for (String m : o.get("--master", null).split(",", -1)) {
            Options.hostPort("slave", "--master", m.strip());
        }
        props.put(NodeProperties.SLAVE_MASTER, o.get("--master", null));
        String token = token("slave", o, data.resolve(NodeFiles.JOIN_TOKEN), "the master's DATA/join.token");
        if (token != null) {
            props.put(NodeProperties.SLAVE_TOKEN, token);
        }
        if (o.has("--name")) {
            props.put(NodeProperties.SLAVE_NAME, o.get("--name", null));
        }
        props.put(NodeProperties.SLAVE_LABELS, labels("slave", o));
        LogSetup.configure(data, "slave");
        FelixNode node = FelixNode.start(distribution(), data, FelixNode.Role.SLAVE, false, props);
        String supervisor = o.get("--supervisor-pid", null);
        if (supervisor != null) {
            ProcessHandle.of(Long.parseLong(supervisor)).ifPresentOrElse(
                    h -> h.onExit().thenRun(node::stop), node::stop);
        }
        return runUntilStopped(node, null);
    }

    /** Stops the node cleanly on SIGTERM/Ctrl-C; returns 1 if it stopped on a failure. */
    static int runUntilStopped(FelixNode node, Runnable beforeStop) throws InterruptedException {
        Thread hook = new Thread(() -> {
            if (beforeStop != null) {
                beforeStop.run();
            }
            node.stop();
        }, "sdm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        node.awaitStop();
        if (beforeStop != null) {
            beforeStop.run();
        }
        if (node.failure().isDone()) {
            System.err.println("sdm: " + node.failure().join());
            return 1;
        }
        return 0;
    }

    /** The folder this launcher jar lives in: it holds {@code bundles/} and {@code lib/}. */
    static Path distribution() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
