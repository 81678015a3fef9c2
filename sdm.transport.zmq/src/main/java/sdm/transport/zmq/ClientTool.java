package sdm.transport.zmq;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.spi.ToolProvider;

/**
 * {@code sdm client} as a {@link ToolProvider} named {@value #NAME}, which the launcher finds
 * with a {@link java.util.ServiceLoader} over the distribution's bundles. Its arguments are
 * those of {@code sdm client} after the launcher has checked them:
 * {@code --data DIR --timeout S [--master HOST:PORT] [--json] COMMAND [ARGS...]}. It prints the
 * command's output; exits 0 on success, 1 when the command fails or the master cannot be
 * reached, 2 when the data folder lacks what it needs or the timeout is not a number.
 */
public final class ClientTool implements ToolProvider {

    public static final String NAME = "sdm-client";

    /** Commands whose archive argument, when it is a file here, is sent to the master. */
    private static final Set<String> UPLOADING = Set.of("sdm:install", "install", "sdm:update", "update");
    /** Their options that take a value. */
    private static final Set<String> VALUED = Set.of("--grant", "--timeout");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> description() {
        return Optional.of("runs one shell command on a running SDM master");
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        Path data = null;
        String master = null;
        String timeout = "60";
        boolean json = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--master" -> master = args[++i];
                case "--timeout" -> timeout = args[++i];
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("sdm client: unknown option " + args[i]);
            }
        }
        List<String> command = List.of(args).subList(i, args.length);
        if (data == null || command.isEmpty()) {
            throw new IllegalArgumentException("sdm client: --data DIR and a command are required");
        }
        AdminAccess access;
        try {
            access = AdminAccess.fromDataFolder(data, master);
        } catch (IOException e) {
            err.println("sdm client: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("sdm client: " + e.getMessage());
            return 1;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timeout);
        } catch (NumberFormatException e) {
            err.println("sdm client: --timeout wants seconds, got '" + timeout + "'");
            return 2;
        }
        Message.AdminReply reply;
        try {
            reply = access.execute(command, json, Duration.ofSeconds(seconds), localFiles(command));
        } catch (TransportException | RuntimeException e) {
            err.println("sdm client: " + e.getMessage());
            return 1;
        }
        out.print(reply.output());
        out.flush();
        if (!reply.ok()) {
            err.println("sdm client: " + reply.error());
            return 1;
        }
        return 0;
    }

    /** The arguments of an install or update that name local files, by index. */
    static Map<Integer, Path> localFiles(List<String> command) {
        Map<Integer, Path> files = new HashMap<>();
        if (command.isEmpty() || !UPLOADING.contains(command.get(0))) {
            return files;
        }
        for (int i = 1; i < command.size(); i++) {
            String arg = command.get(i);
            if (VALUED.contains(arg)) {
                i++;
            } else if (!arg.startsWith("--") && Files.isRegularFile(Path.of(arg))) {
                files.put(i, Path.of(arg).toAbsolutePath());
            }
        }
        return files;
    }
}
