package sdm.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import sdm.api.node.NodeFiles;

/**
 * {@code sdm client}: runs one shell command on a running master. The master's public key,
 * the admin key and (without {@code --master}) the master's address come from the master's
 * data folder ({@code ./sdm-data/master} unless {@code --data}). The launcher checks the
 * command line; the transport bundle's {@code sdm-client} tool does the rest.
 */
final class Client {

    /** The bundles the admin client needs, by symbolic name prefix. */
    private static final List<String> CLIENT_BUNDLES = List.of("sdm.api", "sdm.transport.zmq", "jeromq",
            "org.zeromq", "sdm.curve", "com.fasterxml.jackson.core");

    private final Path dist;

    Client(Path dist) {
        this.dist = dist;
    }

    int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse("client", args, 1, Set.of("--json"), Set.of("--master", "--data", "--timeout"),
                true);
        if (o.rest().isEmpty()) {
            throw new UsageException("sdm client: no command given (for example: sdm client sdm:nodes)");
        }
        Path data = Path.of(o.get("--data", NodeFiles.DEFAULT_MASTER_DATA)).toAbsolutePath();
        List<String> toolArgs = new ArrayList<>(List.of("--data", data.toString()));
        if (o.has("--master")) {
            for (String m : o.get("--master", null).split(",", -1)) {
                Options.hostPort("client", "--master", m.strip());
            }
            toolArgs.addAll(List.of("--master", o.get("--master", null)));
        }
        toolArgs.addAll(List.of("--timeout", o.get("--timeout", "60")));
        if (o.has("--json")) {
            toolArgs.add("--json");
        }
        toolArgs.addAll(o.rest());
        return BundledTool.run(dist, CLIENT_BUNDLES, "sdm-client", out, err, toolArgs);
    }
}
