package sdm.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;

import sdm.api.NodeFailure;
import sdm.api.OnlineNodes;
import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;

/**
 * One embedded Felix framework with the bundles of a role. The bundles are the jars of the
 * distribution's {@code bundles/} folder, chosen by symbolic name; the interactive shell, if
 * any, starts last. A node is ready once it registers {@code sdm.api.MachineInfo}; a bundle
 * that finds the node cannot run reports through the failure consumer (see
 * {@code sdm.api.NodeFailure}) and the node stops.
 */
final class FelixNode {

    enum Role {
        MASTER, SLAVE
    }

    private static final Logger LOG = Logger.getLogger("sdm.launcher");
    private static final String MACHINE_INFO = "sdm.api.MachineInfo";
    private static final Set<String> CONSOLE = Set.of("org.apache.felix.gogo.jline", "org.jline");
    /**
     * A slave has no shell (it is administered through its master) and no configuration
     * service: leaving Gogo and ConfigAdmin out saves it two threads and ~2 MB.
     */
    private static final Set<String> MASTER_ONLY = Set.of("sdm.master", "sdm.kernel",
            "org.apache.felix.fileinstall", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command", "org.apache.felix.configadmin");
    /**
     * Started once the node is ready: FileInstall would otherwise scan the deploy folder before
     * the master's installer for programs is there, and install a {@code .jam.zip} as a plain bundle.
     */
    private static final Set<String> AFTER_READY = Set.of("org.apache.felix.fileinstall");
    private static final Set<String> SLAVE_ONLY = Set.of("sdm.slave");
    /** Runs programs' JavaScript; needs GraalJS from the JVM's module path. */
    private static final String KERNEL = "sdm.kernel";
    /** Ratis and its 19 MB: only on a master of a replicated machine. */
    private static final String REPLICATION = "sdm.replication";
    /** The link to a parent machine: only on a master started with --parent. */
    private static final String STACK = "sdm.stack";

    private final Framework framework;
    private final List<Bundle> console = new ArrayList<>();
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private volatile boolean stopping;

    private FelixNode(Framework framework) {
        this.framework = framework;
    }

    /**
     * Starts the framework and its bundles and waits until the node is ready. The interactive
     * console, if wanted, is installed but waits for {@link #startConsole}.
     *
     * @throws NodeStartException with one line naming what went wrong
     */
    static FelixNode start(Path dist, Path data, Role role, boolean console, Map<String, String> properties)
            throws NodeStartException {
        Map<String, String> config = new HashMap<>(properties);
        config.put(Constants.FRAMEWORK_STORAGE, data.resolve("cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(NodeProperties.DATA, data.toString());
        config.put("felix.log.level", "1");
        String javascript = JavaScriptModules.systemPackages();
        if (javascript != null) {
            config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, javascript);
        } else if (role == Role.MASTER) {
            LOG.warning("GraalJS is not on this JVM's module path: the master runs without the kernel, and"
                    + " programs' JavaScript does not run (start the master with bin/sdm)");
        }
        config.put("ds.loglevel", "warn");
        // Gogo: no banner, no profile from the working folder
        config.put("gosh.home", data.toString());
        try {
            Files.createDirectories(data);
            Files.writeString(data.resolve(NodeFiles.PID), ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new NodeStartException("cannot write to the data folder " + data + ": " + e.getMessage());
        }
        Framework framework = new FrameworkFactory().newFramework(config);
        FelixNode node = new FelixNode(framework);
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(NodeFailure.PROPERTY, "true");
            context.registerService(Consumer.class, (Consumer<String>) node.failure::complete, props);
            List<Bundle> others = new ArrayList<>();
            List<Bundle> afterReady = new ArrayList<>();
            for (Path jar : bundleJars(dist)) {
                String bsn = symbolicName(jar);
                if (bsn == null || !wanted(bsn, role, console) || KERNEL.equals(bsn) && javascript == null
                        || REPLICATION.equals(bsn) && (role != Role.MASTER || !config.containsKey(
                                NodeProperties.MASTER_REPLICAS))
                        || STACK.equals(bsn) && (role != Role.MASTER || !config.containsKey(NodeProperties.PARENT))) {
                    continue;
                }
                Bundle b = context.installBundle(jar.toUri().toString());
                (CONSOLE.contains(bsn) ? node.console : AFTER_READY.contains(bsn) ? afterReady : others).add(b);
            }
            framework.start();
            for (Bundle b : others) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
            node.awaitReady(context);
            for (Bundle b : afterReady) {
                b.start();
            }
            return node;
        } catch (BundleException | IOException e) {
            node.stop();
            throw new NodeStartException("cannot start the framework: " + e.getMessage());
        } catch (NodeStartException e) {
            node.stop();
            throw e;
        }
    }

    private void awaitReady(BundleContext context) throws NodeStartException {
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context, context.createFilter("(objectClass=" + MACHINE_INFO + ")"), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true);
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (tracker.getService() == null) {
                if (failure.isDone()) {
                    throw new NodeStartException(failure.join());
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new NodeStartException("the node did not become ready within 30 s (see the log)");
                }
                tracker.waitForService(50);
            }
            if (failure.isDone()) {
                // the node's services are there, but it reported that it cannot run
                throw new NodeStartException(failure.join());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeStartException("interrupted while starting");
        } finally {
            tracker.close();
        }
    }

    /** Starts the interactive console, last, so that its prompt follows the start-up lines. */
    void startConsole() throws NodeStartException {
        if (!console.isEmpty()) {
            LogSetup.quietConsole();
        }
        try {
            for (Bundle b : console) {
                b.start();
            }
        } catch (BundleException e) {
            throw new NodeStartException("cannot start the console: " + e.getMessage());
        }
    }

    /** Has the master call {@code consumer} with the number of slaves online after each change. */
    void onOnlineNodes(IntConsumer consumer) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(OnlineNodes.PROPERTY, "true");
        framework.getBundleContext().registerService(IntConsumer.class, consumer, props);
    }

    /** Completes with the line of a failure reported after start. */
    CompletableFuture<String> failure() {
        return failure;
    }

    /** Blocks until the framework has stopped (by {@link #stop}, the shell, or a failure). */
    void awaitStop() throws InterruptedException {
        failure.thenRun(this::stop);
        framework.waitForStop(0);
    }

    void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            framework.stop();
            framework.waitForStop(TimeUnit.SECONDS.toMillis(15));
        } catch (BundleException | InterruptedException e) {
            LOG.warning("framework did not stop cleanly: " + e.getMessage());
        }
    }

    private static boolean wanted(String bsn, Role role, boolean console) {
        if (CONSOLE.contains(bsn)) {
            return role == Role.MASTER && console;
        }
        if (MASTER_ONLY.contains(bsn)) {
            return role == Role.MASTER;
        }
        if (SLAVE_ONLY.contains(bsn)) {
            return role == Role.SLAVE;
        }
        return true;
    }

    static List<Path> bundleJars(Path dist) throws IOException {
        Path dir = dist.resolve("bundles");
        if (!Files.isDirectory(dir)) {
            throw new IOException("no bundles in " + dir + " (rebuild with ./mvnw install)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /**
     * A plain class loader over the distribution's bundles whose symbolic names start with one
     * of {@code prefixes}: for commands that use SDM code without starting a framework.
     */
    static java.net.URLClassLoader plainLoader(Path dist, List<String> prefixes) throws IOException {
        List<java.net.URL> urls = new ArrayList<>();
        for (Path jar : bundleJars(dist)) {
            String bsn = symbolicName(jar);
            if (bsn != null && prefixes.stream().anyMatch(bsn::startsWith)) {
                urls.add(jar.toUri().toURL());
            }
        }
        return new java.net.URLClassLoader(urls.toArray(java.net.URL[]::new), FelixNode.class.getClassLoader());
    }

    static String symbolicName(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            Manifest m = j.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return bsn == null ? null : bsn.split(";")[0].strip();
        }
    }

    /** A node that could not start; the message is one line for the user. */
    static final class NodeStartException extends Exception {
        private static final long serialVersionUID = 1L;

        NodeStartException(String message) {
            super(message, null, false, false);
        }
    }

}
