package sdm.slave.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

import org.osgi.framework.Bundle;

import sdm.api.Platform;
import sdm.api.ProgramBundles;
import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;
import sdm.api.node.MonotonicClock;
import sdm.archive.ArchiveException;
import sdm.archive.BundleConverter;
import sdm.archive.JamManifest;
import sdm.archive.NativeType;
import sdm.archive.StoredEntries;
import sdm.transport.zmq.Message;

/**
 * The native part of programs on a slave. When a program's bundle becomes active, the library
 * for this node's platform (the entry its {@code Bundle-NativeCode} clause names for this
 * os/arch) is extracted and loaded with the Foreign Function & Memory API in an arena of the
 * program's own, and every declared function is bound with its types. When the bundle stops,
 * the arena is closed: the library is unloaded (dlclose). Calls are run by
 * {@link NativeCallRunner}.
 */
final class NativePrograms implements AutoCloseable {

    /** What a crash mark names while a library is being loaded or unloaded. */
    static final String LOADING = "#loading its library";
    static final String UNLOADING = "#unloading its library";
    private static final long UNLOAD_WAIT_MS = 10_000;
    private static final Logger LOG = Logger.getLogger("sdm.slave");
    private static final Linker LINKER = Linker.nativeLinker();
    /** A library that defines {@code void sdm_set_logger(void (*log)(int level, const char *line))} can log. */
    static final String LOGGER_SETTER = "sdm_set_logger";
    private static final MethodHandle FROM_NATIVE;

    static {
        try {
            FROM_NATIVE = MethodHandles.lookup().findVirtual(NativePrograms.class, "fromNative",
                    MethodType.methodType(void.class, String.class, int.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path dir;
    private final CrashMarks marks;
    private final Consumer<Message> toMaster;
    private final EventQueue events;
    private final JsBridge js;
    private final Map<String, LoadedLibrary> loaded = new ConcurrentHashMap<>();
    /** Libraries whose calls outlived their program: closed once those calls return. */
    private final List<LoadedLibrary> lingering = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final NativeCallRunner calls;

    /**
     * @param dir      where libraries are extracted (emptied now: what is there is from an earlier run)
     * @param marks    where running calls are marked
     * @param toMaster how results are sent
     * @param js       what a library that defines {@code sdm_set_js} calls JavaScript through
     */
    NativePrograms(Path dir, CrashMarks marks, CallThreads threads, Consumer<Message> toMaster, EventQueue events,
            JsBridge js) throws IOException {
        this.dir = dir;
        this.events = events;
        this.js = js;
        this.marks = marks;
        this.toMaster = toMaster;
        this.calls = new NativeCallRunner(loaded, marks, threads, toMaster);
        DataFolder.deleteTree(dir);
        Files.createDirectories(dir);
    }

    /**
     * Loads the program's library and binds its functions; {@code jar}, if not null, is the
     * file of the bundle's current revision.
     *
     * @throws IOException with one line if the library cannot be found, loaded or bound
     */
    void load(Bundle bundle, Path jar) throws IOException {
        load(ProgramBundles.programOf(bundle), bundle::getEntry, jar);
    }

    /**
     * As {@link #load(Bundle, Path)}, for program {@code name}, whose bundle's entry of a path
     * {@code entries} finds; {@code jar}, if not null, is the bundle's file, which a stored
     * library is copied out of by the kernel.
     */
    void load(String name, Function<String, URL> entries, Path jar) throws IOException {
        JamManifest m = manifest(entries);
        if (m.nativeCode() == null) {
            return;
        }
        JamManifest.Library lib = m.nativeCode().libraries().stream()
                .filter(l -> l.os().equals(Platform.os()) && l.arch().equals(Platform.arch())).findFirst()
                .orElseThrow(() -> new IOException("no library for " + Platform.os() + "/" + Platform.arch()));
        URL entry = entries.apply(lib.path());
        if (entry == null) {
            throw new IOException("the bundle has no entry " + lib.path());
        }
        Path folder = dir.resolve(name + "-" + UUID.randomUUID());
        Files.createDirectories(folder);
        Path file = folder.resolve(lib.path().substring(lib.path().lastIndexOf('/') + 1));
        if (jar == null || !StoredEntries.copy(jar, lib.path(), file)) {
            try (InputStream in = entry.openStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Arena arena = Arena.ofShared();
        try {
            SymbolLookup lookup;
            // a library whose constructor crashes takes the node down here: mark it
            marks.enter(CrashMarks.AGENT_SLOT, name, LOADING);
            try {
                lookup = SymbolLookup.libraryLookup(file, arena);
            } catch (IllegalArgumentException e) {
                throw new IOException(file.getFileName() + " does not load: " + DynamicLoader.error(file));
            } finally {
                marks.leave(CrashMarks.AGENT_SLOT);
            }
            Map<String, LoadedLibrary.Function> functions = new HashMap<>();
            for (JamManifest.Function f : m.nativeCode().functions()) {
                MemorySegment address = lookup.find(f.name())
                        .orElseThrow(() -> new IOException("the library does not define " + f.name() + "()"));
                NativeType returns = NativeType.named(f.returns());
                List<NativeType> params = f.params().stream().map(NativeType::named).toList();
                MemoryLayout[] layouts = params.stream().map(NativeValues::layout).toArray(MemoryLayout[]::new);
                FunctionDescriptor descriptor = returns == NativeType.VOID ? FunctionDescriptor.ofVoid(layouts)
                        : FunctionDescriptor.of(NativeValues.layout(returns), layouts);
                // adapted once to take its arguments as an array: invokeWithArguments would adapt it on every call
                MethodHandle spread = LINKER.downcallHandle(address, descriptor)
                        .asSpreader(Object[].class, params.size())
                        .asType(MethodType.methodType(Object.class, Object[].class));
                functions.put(f.name(), new LoadedLibrary.Function(f.name(), returns, params, spread, new CallSpeed()));
            }
            Optional<MemorySegment> setLogger = lookup.find(LOGGER_SETTER);
            MethodHandle loggerSetter = null;
            if (setLogger.isPresent()) {
                // the library gets a function to log with: void log(int level, const char *line)
                MethodHandle target = MethodHandles.insertArguments(FROM_NATIVE.bindTo(this), 0, name);
                // in the global arena: a library thread that logs after the library is closed lands in a
                // stub that still exists (and ignores it), not in freed memory
                MemorySegment stub = LINKER.upcallStub(target,
                        FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Arena.global());
                loggerSetter = LINKER.downcallHandle(setLogger.get(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
                try {
                    loggerSetter.invokeExact(stub);
                } catch (Throwable t) {
                    throw new IOException(LOGGER_SETTER + "() failed: " + t);
                }
            }
            LoadedLibrary now = new LoadedLibrary(name, arena, folder, functions);
            now.loggerSetter = loggerSetter;
            now.js = js.attach(name, m, lookup);
            LoadedLibrary previous = loaded.put(name, now);
            if (previous != null) {
                close(previous);
            }
            LOG.info("loaded " + file.getFileName() + " of " + name + " (" + functions.size() + " functions)");
        } catch (IOException | RuntimeException e) {
            arena.close();
            DataFolder.deleteTree(folder);
            throw e instanceof IOException io ? io : new IOException(ErrorLine.of(e));
        }
    }

    /**
     * The upcall a library logs with, from any of its threads. It must never throw: an exception
     * in an upcall ends the JVM. Level 0 is a log line, anything else an error.
     */
    @SuppressWarnings("unused") // through FROM_NATIVE
    private void fromNative(String program, int level, MemorySegment line) {
        try {
            LoadedLibrary l = loaded.get(program);
            if (l == null || l.closing) {
                return; // the library is going: its threads should have stopped logging
            }
            String text = "";
            if (!line.equals(MemorySegment.NULL)) {
                // at most MAX_TEXT bytes: a line without its NUL within them is cut, not lost
                MemorySegment bytes = line.reinterpret(Message.Event.MAX_TEXT);
                long n = 0;
                while (n < bytes.byteSize() && bytes.get(ValueLayout.JAVA_BYTE, n) != 0) {
                    n++;
                }
                text = new String(bytes.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
            }
            events.raise(program, level == 0 ? "log" : "error", text, MonotonicClock.nowMs());
        } catch (Throwable t) {
            LOG.fine("a log line from " + program + " was unreadable: " + t);
        }
    }

    /** Unloads the program's library once its running calls are done; new calls are refused meanwhile. */
    void unload(String name) {
        LoadedLibrary l = loaded.remove(name);
        if (l != null) {
            close(l);
        }
    }

    private void close(LoadedLibrary l) {
        l.closing = true;
        if (l.js != null) {
            l.js.stop(); // its threads waiting in call() return before the library is told to stop them
        }
        long deadline = System.currentTimeMillis() + UNLOAD_WAIT_MS;
        while (l.inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (l.inFlight.get() > 0) {
            // never closed under a running call: that call may still read the library's memory
            lingering.add(l);
            LOG.warning("the library of " + l.name + " stays loaded until its " + l.inFlight.get()
                    + " running call(s) return");
            return;
        }
        unmap(l);
    }

    private void unmap(LoadedLibrary l) {
        marks.enter(CrashMarks.AGENT_SLOT, l.name, UNLOADING);
        try {
            if (l.js != null) {
                l.js.clear();
            }
            if (l.loggerSetter != null) {
                try {
                    l.loggerSetter.invokeExact(MemorySegment.NULL); // tell the library to stop logging
                } catch (Throwable t) {
                    LOG.fine("clearing the logger of " + l.name + ": " + t);
                }
            }
            l.arena.close();
        } finally {
            marks.leave(CrashMarks.AGENT_SLOT);
        }
        try {
            DataFolder.deleteTree(l.folder);
        } catch (IOException e) {
            LOG.warning("cannot delete " + l.folder + ": " + e.getMessage());
        }
        LOG.info("unloaded the library of " + l.name);
    }

    /** From the agent's thread, now and then: closes the libraries whose last calls have returned. */
    void closeLingering() {
        for (LoadedLibrary l : lingering) {
            if (l.inFlight.get() == 0) {
                lingering.remove(l);
                unmap(l);
            }
        }
    }

    /** What runs calls of the loaded functions. */
    NativeCallRunner calls() {
        return calls;
    }

    private static JamManifest manifest(Function<String, URL> entries) throws IOException {
        URL entry = entries.apply(BundleConverter.MANIFEST_COPY);
        if (entry == null) {
            throw new IOException("the bundle has no " + BundleConverter.MANIFEST_COPY);
        }
        try (InputStream in = entry.openStream()) {
            return JamManifest.parse(in.readAllBytes());
        } catch (ArchiveException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** The names of the programs whose libraries are loaded. */
    List<String> loadedPrograms() {
        return new ArrayList<>(loaded.keySet());
    }

    @Override
    public void close() {
        calls.close();
        for (String name : loadedPrograms()) {
            unload(name);
        }
    }
}
