package sdm.kernel.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A kernel over fakes of its services, and the programs it runs for one test. */
final class TestKernel implements AutoCloseable {

    static final String PROGRAM = "demo";
    private static final long WAIT_SECONDS = 10;
    /** Held: the warnings that every test's interpreter-only engine and failing programs give are noise here. */
    private static final Logger QUIET = Logger.getLogger("sdm.kernel");

    static {
        QUIET.setLevel(Level.SEVERE);
    }

    final FakeMachine machine = new FakeMachine();
    final FakeCalls calls = new FakeCalls();
    final FakeHost host;
    final Kernel kernel;
    private final List<JsProgram> programs = new ArrayList<>();
    /** The {@code SDM-Master-Exports} header of the programs made from now on, or null. */
    String exports;

    TestKernel(Path folder) throws IOException {
        this(folder, Limits.defaults());
    }

    TestKernel(Path folder, Limits limits) throws IOException {
        host = new FakeHost(folder);
        kernel = new Kernel(machine, calls, host, limits);
    }

    /** A program that is never started: its system calls answer, its loop runs no JavaScript. */
    JsProgram idle(String... privileges) {
        JsProgram p = new JsProgram(PROGRAM, "1.2.0", new Privileges(Set.of(privileges)), exports, kernel);
        programs.add(p);
        return p;
    }

    /** A program running {@code script} as its main script. */
    JsProgram run(String script, String... privileges) {
        JsProgram p = idle(privileges);
        p.start("js/main.js", script, null);
        return p;
    }

    /** The system calls of an idle program, answering as the prelude receives them. */
    SystemCalls systemCalls(String... privileges) {
        return new SystemCalls(idle(privileges));
    }

    /** The next line the program logged. */
    String nextLog() {
        return next(host.logs, () -> "log line (failures: " + host.failures + ")");
    }

    @Override
    public void close() {
        programs.forEach(JsProgram::stop);
        kernel.deactivate();
    }

    /** The next element of the queue; {@code what} describes it if none comes. */
    static <T> T next(BlockingQueue<T> queue, Supplier<String> what) {
        try {
            T t = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("no " + what.get() + " within " + WAIT_SECONDS + " s");
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A script that logs {@code = JSON} of the expression's value, or the error it throws as {@code Name: message}. */
    static String show(String expression) {
        return "try { console.log('= ' + JSON.stringify(" + expression + ")); }"
                + " catch (e) { console.log(e.name + ': ' + e.message); }";
    }

    /** A script that logs what the promise settles with, as {@link #show} does. */
    static String settle(String promise) {
        return "(" + promise + ").then(v => console.log('= ' + JSON.stringify(v)),"
                + " e => console.log(e.name + ': ' + e.message));";
    }

    static Limits timers(int n) {
        Limits d = Limits.defaults();
        return new Limits(d.turnMillis(), d.cpuPerMinuteMillis(), n, d.pendingCalls(), d.logLines(),
                d.logWindowMillis(), d.queuedTurns(), d.memoryMb(), d.compilerThreads());
    }

    static Limits pendingCalls(int n) {
        Limits d = Limits.defaults();
        return new Limits(d.turnMillis(), d.cpuPerMinuteMillis(), d.timers(), n, d.logLines(),
                d.logWindowMillis(), d.queuedTurns(), d.memoryMb(), d.compilerThreads());
    }

    static Limits logLines(int n, long windowMillis) {
        Limits d = Limits.defaults();
        return new Limits(d.turnMillis(), d.cpuPerMinuteMillis(), d.timers(), d.pendingCalls(), n,
                windowMillis, d.queuedTurns(), d.memoryMb(), d.compilerThreads());
    }
}
