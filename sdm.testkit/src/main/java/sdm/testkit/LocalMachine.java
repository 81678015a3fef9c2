package sdm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import sdm.api.node.NodeFiles;

/**
 * A {@code bin/sdm local} process on a free port of 127.0.0.1, its data in its working folder's
 * {@code sdm-data}, and an admin session on its master; closing it stops the master and its slaves.
 */
public record LocalMachine(SdmProcess process, AdminSession admin, Path masterData, int port)
        implements AutoCloseable {

    /**
     * {@code bin/sdm local --slaves N} plus {@code extra} arguments and {@code env} variables, in
     * {@code dir}, once every slave is online.
     */
    public static LocalMachine start(Path dir, int slaves, List<String> extra, Map<String, String> env)
            throws Exception {
        int port = Ports.free();
        List<String> args = new ArrayList<>(List.of("local", "--no-console", "--slaves", "" + slaves, "--bind",
                "127.0.0.1:" + port));
        args.addAll(extra);
        SdmProcess local = SdmProcess.start(dir, env, args.toArray(String[]::new));
        try {
            Path master = dir.resolve(NodeFiles.DEFAULT_MASTER_DATA);
            Waits.untilTrue("the master of bin/sdm local", Duration.ofSeconds(60), () -> {
                if (!local.isAlive()) {
                    throw new IllegalStateException("bin/sdm local ended: " + local.stderr());
                }
                return Files.exists(master.resolve(NodeFiles.MASTER_ENDPOINT));
            });
            AdminSession admin = new AdminSession(master);
            Waits.untilTrue(slaves + " slaves online", Duration.ofSeconds(120), () -> admin.onlineCount() == slaves);
            return new LocalMachine(local, admin, master, port);
        } catch (Exception e) {
            local.close();
            throw e;
        }
    }

    /** The pid of the node {@code name}, from its pid file. */
    public long pidOf(String name) throws java.io.IOException {
        return Long.parseLong(Files.readString(masterData.resolveSibling(name).resolve(NodeFiles.PID)).strip());
    }

    @Override
    public void close() {
        process.close();
    }
}
