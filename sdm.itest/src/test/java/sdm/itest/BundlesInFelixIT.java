package sdm.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarInputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

import sdm.api.MachineInfo;
import sdm.api.NodeInfo;
import sdm.api.ProgramRuntime;
import sdm.api.node.NodeProperties;

/**
 * The master's bundle set in a real Felix under Pax Exam: everything resolves and starts, the
 * {@link MachineInfo} service is there, and the {@code sdm} shell commands are registered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesInFelixIT {

    /** Interactive console bundles and the slave agent are not part of a headless master. */
    private static final Set<String> LEFT_OUT = Set.of("org.apache.felix.gogo.jline", "org.jline", "sdm.slave");

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor commands;

    @Configuration
    public Option[] config() throws IOException {
        return masterOptions(Files.createTempDirectory("sdm-paxexam"), "127.0.0.1:0").toArray(Option[]::new);
    }

    /** A headless master's bundles and framework properties, binding {@code bind}, with its data in {@code data}. */
    static List<Option> masterOptions(Path data, String bind) throws IOException {
        Path dist = Path.of(System.getProperty("sdm.dist.dir"));
        List<Option> options = new ArrayList<>();
        try (Stream<Path> jars = Files.list(dist.resolve("bundles"))) {
            for (Path jar : jars.sorted().toList()) {
                if (!LEFT_OUT.contains(symbolicName(jar))) {
                    options.add(bundle(jar.toUri().toString()));
                }
            }
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        options.add(frameworkProperty(NodeProperties.DATA).value(data.toString()));
        // as the launcher does: the system bundle exports GraalJS and the heap meter from the module path
        options.add(org.ops4j.pax.exam.CoreOptions.systemPackages(moduleExports()));
        options.add(frameworkProperty(NodeProperties.MASTER_BIND).value(bind));
        options.add(frameworkProperty("felix.fileinstall.dir").value(data.resolve("deploy").toString()));
        options.add(systemProperty("org.ops4j.pax.url.mvn.localRepository")
                .value(System.getProperty("org.ops4j.pax.url.mvn.localRepository", "")));
        return options;
    }

    private static String[] moduleExports() throws IOException {
        List<String> packages = new ArrayList<>();
        for (String name : List.of("org.graalvm.polyglot", "sdm.kernel.meter")) {
            Module module = ModuleLayer.boot().findModule(name)
                    .orElseThrow(() -> new AssertionError(name + " is not on the test JVM's module path"));
            String version = "";
            if (name.startsWith("org.graalvm")) {
                try (InputStream in = module.getResourceAsStream("META-INF/graalvm/org.graalvm.polyglot/version")) {
                    version = ";version=" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
                }
            }
            for (java.lang.module.ModuleDescriptor.Exports e : module.getDescriptor().exports()) {
                if (!e.isQualified()) {
                    packages.add(e.source() + version);
                }
            }
        }
        return packages.toArray(String[]::new);
    }

    private static String symbolicName(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            String bsn = j.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return bsn == null ? "" : bsn.split(";")[0].strip();
        }
    }

    @Test
    public void everyBundleResolvesAndStarts() {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " in state " + b.getState());
            }
        }
        assertEquals(List.of(), notActive);
        List<String> names = Stream.of(context.getBundles()).map(Bundle::getSymbolicName).toList();
        assertTrue(names.toString(), names.containsAll(List.of("sdm.api", "sdm.transport.zmq", "sdm.master", "sdm.kernel",
                "sdm.replication",
                "org.apache.felix.scr", "org.apache.felix.gogo.runtime", "org.apache.felix.configadmin",
                "org.apache.felix.fileinstall", "sdm.curve")));
    }

    @Test
    public void theMasterPublishesMachineInfo() throws InterruptedException {
        ServiceTracker<MachineInfo, MachineInfo> tracker = new ServiceTracker<>(context, MachineInfo.class, null);
        tracker.open();
        try {
            MachineInfo machine = tracker.waitForService(10_000);
            assertNotNull("MachineInfo service", machine);
            assertEquals(NodeInfo.Role.MASTER, machine.self().role());
            assertTrue(machine.master().address(), machine.master().address().startsWith("127.0.0.1:"));
            assertTrue(machine.master().counters().keySet().containsAll(List.of("messagesIn", "handshakesRefused")));
            assertEquals(List.of(), machine.nodes());
            assertEquals(List.of(), machine.offline());
        } finally {
            tracker.close();
        }
    }

    @Test
    public void theShellCommandsAreRegisteredWithHelp() throws Exception {
        List<String> functions = new ArrayList<>();
        for (ServiceReference<?> ref : context.getServiceReferences((String) null, "(osgi.command.scope=sdm)")) {
            Object f = ref.getProperty("osgi.command.function");
            functions.addAll(f instanceof String[] a ? List.of(a) : List.of(String.valueOf(f)));
        }
        assertTrue(functions.toString(), functions.containsAll(List.of("nodes", "master", "install", "start",
                "stop", "update", "uninstall", "apps", "app")));

        assertContains(run("sdm:nodes"), "0 nodes, 0 offline");
        assertContains(run("sdm:master"), "address   127.0.0.1:", "counters");
        assertContains(run("help sdm:nodes"), "list the nodes of this machine", "print JSON", "--tree");
        assertContains(run("sdm:apps"), "0 programs");
        assertContains(run("help sdm:install"), "--start", "--grant", "--timeout");
    }

    /**
     * A master-only program goes through the master's own framework: installed as bundle
     * jam.NAME, started, handed to the runtime extension point, stopped, uninstalled.
     */
    @Test
    public void aProgramReachesTheRuntimeExtensionPoint() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ServiceRegistration<ProgramRuntime> runtime = context.registerService(ProgramRuntime.class,
                new ProgramRuntime() {
                    @Override
                    public void start(Bundle program) {
                        events.add("start " + program.getSymbolicName() + " " + program.getHeaders().get("SDM-Master-Main"));
                    }

                    @Override
                    public void stop(Bundle program) {
                        events.add("stop " + program.getSymbolicName());
                    }
                }, null);
        Path zip = Files.createTempDirectory("sdm-program").resolve("greeter.jam.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("MANIFEST.json"));
            out.write("{\"name\":\"greeter\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/main.js\"}}"
                    .getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("js/main.js"));
            out.write("console.log('hi')".getBytes(StandardCharsets.UTF_8));
        }
        try {
            assertContains(run("sdm:install --start " + zip), "greeter 1.0.0: desired active", "master  active");
            Bundle bundle = context.getBundle("jam:greeter");
            assertNotNull("bundle jam:greeter", bundle);
            assertEquals("jam.greeter", bundle.getSymbolicName());
            assertEquals(Bundle.ACTIVE, bundle.getState());
            assertEquals(List.of("start jam.greeter js/main.js"), events);

            assertContains(run("sdm:stop greeter"), "desired stopped", "master  stopped");
            assertEquals(Bundle.RESOLVED, bundle.getState());
            assertEquals(List.of("start jam.greeter js/main.js", "stop jam.greeter"), events);

            assertContains(run("sdm:apps"), "greeter", "1 program");
            assertContains(run("sdm:uninstall greeter"), "greeter 1.0.0: uninstalled");
            assertEquals(null, context.getBundle("jam:greeter"));

            try {
                run("sdm:uninstall greeter");
                fail("uninstalling a program twice must fail");
            } catch (Exception e) {
                assertContains(e.getMessage(), "no program named 'greeter' is installed");
            }
        } finally {
            runtime.unregister();
        }
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("'" + part + "' in:\n" + text, text.contains(part));
        }
    }

    private String run(String line) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (CommandSession session = commands.createSession(InputStream.nullInputStream(), out, out)) {
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, 0));
            }
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
