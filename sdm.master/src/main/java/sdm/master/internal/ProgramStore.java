package sdm.master.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;
import sdm.api.node.Sha256;
import sdm.archive.BundleConverter;
import sdm.archive.JamArchive;

/**
 * The master's record of every program: its bundle, stored by digest in
 * {@code DATA/programs/bundles/SHA256.jar}, and its desired state, in
 * {@code DATA/programs/state.json} (replicated masters keep it in their log). Both are written atomically (temporary file, fsync,
 * rename, fsync of the folder), a bundle always before the state that names it, so a kill -9
 * at any moment leaves the last acknowledged state whole, and at worst a bundle file that
 * nothing names, deleted on the next start.
 */
final class ProgramStore {

    /**
     * One program as the operator wants it.
     *
     * @param state  installed, active or stopped
     * @param grants privileges granted at install
     * @param source where it came from: {@code deploy:FILE} for the deploy folder, else empty
     * @param attempt how many times the operator acted on it: nodes retry what failed only for a
     *               newer attempt
     */
    record Program(String name, String version, String sha256, long size, ProgramState state, List<String> grants,
            String source, long attempt) {
        Program {
            if (state == null || !state.desirable()) {
                throw new IllegalArgumentException("unknown desired state '" + state + "' of " + name);
            }
            grants = List.copyOf(grants);
            source = source == null ? "" : source;
        }

        /** The program in {@code newState}, as a new attempt. */
        Program withState(ProgramState newState, long newAttempt) {
            return new Program(name, version, sha256, size, newState, grants, source, newAttempt);
        }
    }

    /** What {@code state.json} holds. */
    record State(long revision, List<Program> programs) {
    }

    /** A bundle written to the store, not yet named by the state. */
    record Staged(String sha256, long size) {
    }


    private final Path dir;
    private final Path bundles;
    private final Path incoming;
    private final DataFolder folder;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_ENUMS_USING_TO_STRING)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
            .enable(SerializationFeature.INDENT_OUTPUT).build();
    /** Replaced whole on each change, so that readers (the endpoint thread) never wait on a write. */
    private volatile Map<String, Program> programs = Map.of();
    private volatile long revision;
    private volatile Journal journal;
    /** Whether {@code state.json} is the record of the programs (of a single master). */
    private volatile boolean writesState = true;
    private final BundleAssembly assembly;

    private ProgramStore(Path dir) throws IOException {
        this.dir = dir;
        this.bundles = dir.resolve("bundles");
        this.incoming = dir.resolve("incoming");
        Files.createDirectories(bundles);
        Files.createDirectories(incoming);
        this.folder = new DataFolder(dir);
        this.assembly = new BundleAssembly(bundles, this::bundle);
        this.journal = change -> {
            switch (change) {
                case StateChange.ProgramPut p -> apply(p);
                case StateChange.ProgramRemoved r -> apply(r);
                default -> throw new IllegalArgumentException("not a change of programs: " + change);
            }
        };
    }

    /**
     * Opens the store in {@code dir}, creating it if needed, and deletes what a crash may have
     * left: temporary files and bundles that no program names.
     *
     * @throws IOException if the state file cannot be read (it is then left as it is)
     */
    static ProgramStore open(Path dir) throws IOException {
        ProgramStore store = new ProgramStore(dir);
        Path file = dir.resolve("state.json");
        if (Files.exists(file)) {
            State state;
            try {
                state = store.json.readValue(file.toFile(), State.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(file + " is not readable: " + ErrorLine.of(e));
            }
            store.revision = state.revision();
            Map<String, Program> loaded = new TreeMap<>();
            for (Program p : state.programs()) {
                if (!Files.isRegularFile(store.bundle(p.sha256()))) {
                    throw new IOException(file + " names bundle " + p.sha256() + " of " + p.name()
                            + ", which is missing");
                }
                loaded.put(p.name(), p);
            }
            store.programs = java.util.Collections.unmodifiableMap(loaded);
        }
        store.collectGarbage(Set.of());
        store.emptyIncoming();
        return store;
    }

    List<Program> programs() {
        return List.copyOf(programs.values());
    }

    Optional<Program> get(String name) {
        return Optional.ofNullable(programs.get(name));
    }

    long revision() {
        return revision;
    }

    /** Where archives are copied before they are read, so no one else can change them meanwhile. */
    Path incoming() {
        return incoming;
    }

    Path bundle(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a digest: " + sha256);
        }
        return bundles.resolve(sha256 + ".jar");
    }

    /** Whether {@code sha256} is the bundle of a program in the store (only those are served to slaves). */
    boolean names(String sha256) {
        return programs.values().stream().anyMatch(p -> p.sha256().equals(sha256));
    }

    /** Converts the archive into the store's bundle file (durable before this returns). */
    Staged stage(JamArchive archive, Path zip) throws IOException {
        Path temp = bundles.resolve(".staging-" + UUID.randomUUID() + ".tmp");
        try {
            MessageDigest sha = Sha256.digest();
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), sha)) {
                BundleConverter.convert(archive, zip, nonClosing(out));
                out.flush();
                ch.force(true);
            }
            String digest = Sha256.hex(sha);
            long size = Files.size(temp);
            Path target = bundle(digest);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            DataFolder.syncDirectory(bundles);
            journal.publish(digest, target);
            return new Staged(digest, size);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Adds or replaces a program; once this returns, the change survives a crash (on a majority of replicated masters). */
    void put(Program program) throws IOException {
        journal.commit(new StateChange.ProgramPut(program));
    }

    /** Removes a program; its bundle file goes with the next {@link #collectGarbage}. */
    void remove(String name) throws IOException {
        journal.commit(new StateChange.ProgramRemoved(name));
    }

    /**
     * Where changes go, before the store is used: the masters' log of a replicated master, which
     * is then the record of the programs (it gives them all again at start, so {@code state.json}
     * is not written). A single master's store applies them at once, in {@code state.json}.
     */
    void journal(Journal j) {
        journal = j;
        writesState = false;
    }

    /**
     * Applies a committed change. The revision only grows, and stays above every attempt a
     * program was given, whichever master gave it.
     */
    synchronized void apply(StateChange.ProgramPut put) throws IOException {
        Map<String, Program> next = new TreeMap<>(programs);
        next.put(put.program().name(), put.program());
        write(next, Math.max(revision + 1, put.program().attempt()));
    }

    synchronized void apply(StateChange.ProgramRemoved removed) throws IOException {
        Map<String, Program> next = new TreeMap<>(programs);
        next.remove(removed.name());
        write(next, revision + 1);
    }

    /** Applies a chunk of a bundle that came through the masters' log. */
    synchronized void apply(StateChange.BundleChunk chunk) throws IOException {
        assembly.accept(chunk);
    }

    private void write(Map<String, Program> next, long nextRevision) throws IOException {
        State state = new State(nextRevision, new ArrayList<>(next.values()));
        if (writesState) {
            folder.write("state.json", json.writeValueAsString(state), false);
        }
        programs = java.util.Collections.unmodifiableMap(next);
        revision = state.revision();
    }

    /** Everything the store holds, for a snapshot: its state, and the bundles not yet whole. */
    synchronized State state() {
        return new State(revision, new ArrayList<>(programs.values()));
    }

    Path bundles() {
        return bundles;
    }

    BundleAssembly assembly() {
        return assembly;
    }

    /**
     * Replaces the whole store with {@code state}, whose bundles are in place already: a
     * replicated master at start (before its log is applied again) and after a snapshot.
     */
    synchronized void replace(State state) throws IOException {
        Map<String, Program> next = new TreeMap<>();
        state.programs().forEach(p -> next.put(p.name(), p));
        write(next, state.revision());
    }

    /**
     * Deletes bundle files that no program names (nor {@code keep}) and that are not being
     * assembled from the masters' log, and temporary files. The caller makes sure no bundle is
     * being staged meanwhile.
     */
    /**
     * The digests of the whole bundle files here, named by a program or not: one that came whole
     * through the masters' log may still wait for the change that names it.
     */
    synchronized List<String> bundleDigests() throws IOException {
        try (Stream<Path> files = Files.list(bundles)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".jar") && n.substring(0, n.length() - 4).matches("[0-9a-f]{64}"))
                    .map(n -> n.substring(0, 64)).sorted().toList();
        }
    }

    synchronized void collectGarbage(Set<String> keep) throws IOException {
        Set<String> named = new HashSet<>();
        programs.values().forEach(p -> named.add(p.sha256() + ".jar"));
        keep.forEach(sha -> named.add(sha + ".jar"));
        try (Stream<Path> files = Files.list(bundles)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!named.contains(name) && !assembly.assembles(name)) {
                    Files.deleteIfExists(f);
                }
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** At start only: what a crash left in the incoming folder. */
    private void emptyIncoming() throws IOException {
        try (Stream<Path> files = Files.list(incoming)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The converter closes its stream; the store closes the file itself, after fsync. */
    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
