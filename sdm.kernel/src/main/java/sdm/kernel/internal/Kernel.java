package sdm.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Instrument;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.MachineInfo;
import sdm.api.MachineListener;
import sdm.api.NodeInfo;
import sdm.api.ProgramBundles;
import sdm.api.ProgramCalls;
import sdm.api.ProgramHost;
import sdm.api.ProgramRuntime;
import sdm.api.ExportException;
import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;
import sdm.kernel.meter.HeapMeter;

/**
 * The kernel: runs the JavaScript of programs ({@code SDM-Master-Main}) on the master, each in
 * its own sandboxed context and event loop, over one shared GraalJS engine. It reaches the
 * machine only through the {@code sdm.api} services below.
 */
@Component(service = {ProgramRuntime.class, MachineListener.class}, immediate = true)
public final class Kernel implements ProgramRuntime, MachineListener {

    private static final Logger LOG = Logger.getLogger("sdm.kernel");
    /** A script larger than this (main or module) is refused: programs are code, not data. */
    static final int MAX_MAIN_BYTES = 1 << 20;
    private static final long WATCHDOG_MS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Reference
    private MachineInfo machine;
    @Reference
    private ProgramCalls calls;
    @Reference
    private ProgramHost host;

    private final Map<String, JsProgram> programs = new ConcurrentHashMap<>();
    private Limits limits;
    private ScheduledExecutorService clock;
    private ScheduledExecutorService watchdog;
    private final CompletableFuture<Engine> engine = new CompletableFuture<>();
    private volatile JsRuntime runtime;
    private volatile MemoryBound memory;
    /** Evaluated in order in every program's context before the program's own code. */
    private List<Source> prelude;
    private final OutputStream discard = OutputStream.nullOutputStream();

    /** For the framework, which sets the references, then activates. */
    public Kernel() {
    }

    /** A kernel over these services, running at once, outside a framework: the unit tests'. */
    Kernel(MachineInfo machine, ProgramCalls calls, ProgramHost host, Limits limits) throws IOException {
        this.machine = machine;
        this.calls = calls;
        this.host = host;
        run(limits);
    }

    @Activate
    void activate(BundleContext context) throws IOException {
        Limits fromContext = Limits.from(context);
        String data = context.getProperty(NodeProperties.DATA);
        if (System.getProperty("polyglot.engine.userResourceCache") == null) {
            // Truffle unpacks a native library into the user's home otherwise
            Path cache = Path.of(data == null ? NodeFiles.DEFAULT_MASTER_DATA : data).toAbsolutePath().resolve("kernel-cache");
            System.setProperty("polyglot.engine.userResourceCache", cache.toString());
        }
        run(fromContext);
    }

    private void run(Limits limits) throws IOException {
        this.limits = limits;
        prelude = List.of(resource("json-parse.js"), resource("prelude.js"));
        clock = Executors.newScheduledThreadPool(1, Thread.ofPlatform().name("sdm-js-clock").daemon().factory());
        // the watchdog has a thread of its own: programs' timers cannot delay it
        watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-js-watchdog").daemon().factory());
        watchdog.scheduleAtFixedRate(this::watch, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
        // the engine takes a few hundred ms to build: off the thread that starts the master
        Thread.ofPlatform().name("sdm-js-engine").daemon().start(this::buildEngine);
    }

    private void buildEngine() {
        try {
            Engine e = newEngine();
            runtime = JsRuntime.of(e, limits);
            Instrument meter = e.getInstruments().get(HeapMeter.ID);
            if (meter != null) {
                Context own = Context.newBuilder("js").engine(e).sandbox(SandboxPolicy.CONSTRAINED).out(discard)
                        .err(discard).build();
                memory = new MemoryBound(meter.lookup(HeapMeter.class), own, limits.memoryBytes());
            } else {
                LOG.warning("JavaScript runtime: the heap meter (sdm.kernel.meter) is not on the module path:"
                        + " programs' memory is not bounded");
            }
            if (runtime.optimizing()) {
                LOG.info("JavaScript runtime: " + runtime.describe());
            } else {
                LOG.warning("JavaScript runtime: " + runtime.describe() + ". Programs' JavaScript runs 30 to 100"
                        + " times slower than compiled: start the master with bin/sdm, which puts GraalJS and its"
                        + " compiler on the JVM's module path");
            }
            engine.complete(e);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.SEVERE, "JavaScript runtime: GraalJS cannot start; programs' JavaScript will fail", e);
            engine.completeExceptionally(e);
        }
    }

    private Engine newEngine() {
        try {
            return engineBuilder().option("engine.CompilerThreads", Integer.toString(limits.compilerThreads())).build();
        } catch (IllegalArgumentException e) {
            // the interpreter-only runtime has no such option: it compiles nothing
            return engineBuilder().build();
        }
    }

    private Engine.Builder engineBuilder() {
        return Engine.newBuilder("js").sandbox(SandboxPolicy.CONSTRAINED).out(discard).err(discard)
                .option("engine.WarnInterpreterOnly", "false");
    }

    @Deactivate
    void deactivate() {
        // all at once: each may take up to its stop handlers' budget
        List<Thread> stopping = programs.values().stream()
                .map(p -> Thread.ofPlatform().name("sdm-js-stop-" + p.name).start(p::stop)).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        programs.clear();
        clock.shutdownNow();
        watchdog.shutdownNow();
        MemoryBound m = memory;
        if (m != null) {
            m.close();
        }
        Engine e = engine.getNow(null);
        if (e != null) {
            e.close(true);
        }
    }

    @Override
    public void start(Bundle bundle) throws Exception {
        String name = ProgramBundles.programOf(bundle);
        String main = bundle.getHeaders().get("SDM-Master-Main");
        if (name == null || main == null) {
            return; // no JavaScript: nothing to run on the master
        }
        byte[] code = entry(bundle, main);
        if (code == null) {
            throw new IOException("the program's main script " + main + " is not in its bundle");
        }
        String privileges = bundle.getHeaders().get("SDM-Privileges");
        Set<String> granted = privileges == null ? Set.of()
                : new LinkedHashSet<>(Arrays.stream(privileges.split(",")).map(String::strip).toList());
        JsProgram program = new JsProgram(name, bundle.getVersion().toString(), new Privileges(granted),
                bundle.getHeaders().get("SDM-Master-Exports"), this);
        JsProgram old = programs.put(name, program);
        if (old != null) {
            old.stop();
        }
        program.start(main, new String(code, StandardCharsets.UTF_8),
                main.endsWith(".mjs") ? e -> entry(bundle, e) : null);
        LOG.info("program " + name + ": JavaScript started");
    }

    /** One file of a program's bundle (its main script, a module), at most {@link #MAX_MAIN_BYTES}; null if none. */
    private static byte[] entry(Bundle bundle, String name) throws IOException {
        URL url = bundle.getEntry(name);
        if (url == null) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            byte[] bytes = in.readNBytes(MAX_MAIN_BYTES + 1);
            if (bytes.length > MAX_MAIN_BYTES) {
                throw new IOException(name + " is larger than " + MAX_MAIN_BYTES + " bytes");
            }
            return bytes;
        }
    }

    @Override
    public void stop(Bundle bundle) {
        String name = ProgramBundles.programOf(bundle);
        JsProgram program = name == null ? null : programs.get(name);
        if (program != null) {
            program.stop(); // still in the map meanwhile: the watchdog watches its stop handlers too
            programs.remove(name, program);
            LOG.info("program " + name + ": JavaScript stopped");
        }
    }

    @Override
    public CompletionStage<Object> callExport(String program, String function, List<Object> args, String nodeId,
            Duration timeout) {
        JsProgram p = programs.get(program);
        if (p == null || p.ended()) {
            return CompletableFuture.failedStage(new ExportException(ExportException.Reason.NOT_RUNNING,
                    "program " + program + "'s JavaScript is not running"));
        }
        return p.exports().call(function, args, nodeId, timeout);
    }

    /** The shared engine, once built (programs started meanwhile wait for it on their own loop). */
    Engine engine() {
        return engine.join();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        JsRuntime r = runtime;
        out.put("engine", r == null ? "starting" : r.describe());
        out.put("optimizing", r != null && r.optimizing());
        out.put("programs", programs.size());
        out.put("memoryLimitMb", limits.memoryMb());
        return out;
    }

    /** The memory bound, or null when the heap meter is missing. */
    MemoryBound memory() {
        return memory;
    }

    OutputStream discard() {
        return discard;
    }

    List<Source> prelude() {
        return prelude;
    }

    private Source resource(String name) throws IOException {
        URL url = getClass().getResource("/sdm/kernel/" + name);
        try (InputStream in = url.openStream()) {
            return Source.newBuilder("js", new String(in.readAllBytes(), StandardCharsets.UTF_8), "sdm-" + name)
                    .buildLiteral();
        }
    }

    Limits limits() {
        return limits;
    }

    ProgramHost host() {
        return host;
    }

    MachineInfo machine() {
        return machine;
    }

    ProgramCalls calls() {
        return calls;
    }

    ScheduledExecutorService clock() {
        return clock;
    }

    private void watch() {
        long now = System.nanoTime();
        MemoryBound m = memory;
        for (JsProgram p : programs.values()) {
            try {
                p.checkBudget(now);
                if (m != null) {
                    m.check(p, now);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "watchdog on " + p.name, e);
            }
        }
    }

    @Override
    public void nodeUp(NodeInfo node) {
        emit("nodeUp", node);
    }

    @Override
    public void nodeDown(NodeInfo node) {
        emit("nodeDown", node);
    }

    private void emit(String event, NodeInfo node) {
        try {
            String json = JSON.writeValueAsString(SystemCalls.node(node));
            programs.values().forEach(p -> p.emit(event, json));
        } catch (JsonProcessingException e) {
            LOG.warning("cannot encode " + event + " for " + node.id() + ": " + e.getOriginalMessage());
        }
    }
}
