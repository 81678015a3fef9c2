package sdm.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sdm client}: runs one shell command on a running master. The master's public key,
 * the admin key and (without {@code --master}) the master's address come from the master's
 * data folder ({@code ./sdm-data/master} unless {@code --data}). The transport code is loaded
 * from the distribution's bundles into a plain class loader, without starting a framework.
 */
final class Client {

    /** The bundles the admin client needs, by symbolic name prefix. */
    private static final List<String> CLIENT_BUNDLES = List.of("sdm.api", "sdm.transport.zmq", "jeromq",
            "org.zeromq", "eu.neilalexander.jnacl", "com.fasterxml.jackson.core");

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
        Path data = Path.of(o.get("--data", "sdm-data/master")).toAbsolutePath();
        String address = o.has("--master") ? Options.hostPort("client", "--master", o.get("--master", null))
                : readKey(data, "master.endpoint", "the master's address (or give --master HOST:PORT)");
        String masterKey = readKey(data, "master.pub", "the master's public key");
        String adminKey = readKey(data, "admin.key", "the admin key");
        long timeout;
        try {
            timeout = Long.parseLong(o.get("--timeout", "60"));
        } catch (NumberFormatException e) {
            throw new UsageException("sdm client: --timeout wants seconds, got '" + o.get("--timeout", "") + "'");
        }

        try (URLClassLoader loader = FelixNode.plainLoader(dist, CLIENT_BUNDLES)) {
            Class<?> keys = loader.loadClass("sdm.transport.zmq.CurveKeyPair");
            Class<?> client = loader.loadClass("sdm.transport.zmq.AdminClient");
            Object reply;
            try {
                Object admin = keys.getMethod("fromSecret", String.class).invoke(null, adminKey);
                reply = client.getMethod("execute", String.class, String.class, keys, List.class, boolean.class,
                        Duration.class, Map.class).invoke(null, address, masterKey, admin, o.rest(), o.has("--json"),
                                Duration.ofSeconds(timeout), localFiles(o.rest()));
            } catch (InvocationTargetException e) {
                err.println("sdm client: " + e.getCause().getMessage());
                return 1;
            }
            boolean ok = (Boolean) reply.getClass().getMethod("ok").invoke(reply);
            String output = (String) reply.getClass().getMethod("output").invoke(reply);
            String error = (String) reply.getClass().getMethod("error").invoke(reply);
            out.print(output);
            out.flush();
            if (!ok) {
                err.println("sdm client: " + error);
                return 1;
            }
            return 0;
        }
    }

    /** Commands whose archive argument, when it is a file here, is sent to the master. */
    private static final Set<String> UPLOADING = Set.of("sdm:install", "install", "sdm:update", "update");
    /** Their options that take a value. */
    private static final Set<String> VALUED = Set.of("--grant", "--timeout");

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

    private static String readKey(Path data, String file, String what) throws IOException, UsageException {
        Path p = data.resolve(file);
        if (!Files.isReadable(p)) {
            throw new UsageException("sdm client: cannot read " + what + " from " + p
                    + " (give --data with the master's data folder)");
        }
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

}
