package sdm.master.internal;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.core.type.TypeReference;

import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.api.replication.ReplicatedState;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;

/**
 * What the masters of a machine keep alike: the programs and their bundles, the enrolled
 * slaves, the programs' private files ({@code sdm.store}), the machine's keys. Every {@link StateChange} is applied here, on a single master as
 * it is made, on replicated masters in the log's order; a snapshot is one zip of all of it.
 */
final class MachineState implements ReplicatedState {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final String PROGRAMS = "programs.json";
    private static final String SLAVES = "slaves.json";
    private static final String KEYS = "keys.json";
    private static final String BUNDLES = "bundles/";
    private static final String PARTS = "parts/";
    private static final String PRIVATE = "private/";

    private final ProgramStore store;
    private final Enrollments book;
    private final DataFolder data;
    private final PrivateFiles privateFiles;
    private volatile StateChange.MachineKeys keys;
    /** While this master serves, its program manager decides which bundles to keep; a follower drops unnamed ones itself. */
    private volatile boolean serving;
    private volatile Runnable keysApplied = () -> { };

    MachineState(ProgramStore store, Enrollments book, DataFolder data, PrivateFiles privateFiles) {
        this.store = store;
        this.book = book;
        this.data = data;
        this.privateFiles = privateFiles;
    }

    /** The machine's keys, once a change gave them (replicated masters only). */
    Optional<StateChange.MachineKeys> keys() {
        return Optional.ofNullable(keys);
    }

    /** Called on the log's thread once the machine's keys were applied (and on each change of them). */
    void onKeys(Runnable r) {
        keysApplied = r;
    }

    void serving(boolean s) {
        serving = s;
    }

    void apply(StateChange change) throws IOException {
        switch (change) {
            case StateChange.ProgramPut p -> {
                Optional<ProgramStore.Program> before = store.get(p.program().name());
                store.apply(p);
                dropIfUnnamed(before);
            }
            case StateChange.ProgramRemoved r -> {
                Optional<ProgramStore.Program> before = store.get(r.name());
                store.apply(r);
                privateFiles.delete(r.name());
                dropIfUnnamed(before);
            }
            case StateChange.PrivateFile f -> privateFiles.apply(f);
            case StateChange.BundleChunk c -> store.apply(c);
            case StateChange.SlavesRecorded s -> book.apply(s);
            case StateChange.MachineKeys k -> applyKeys(k);
        }
    }

    @Override
    public void apply(long index, byte[] operation) {
        try {
            apply(StateChange.Codec.decode(operation));
        } catch (IOException | RuntimeException e) {
            // the same on every master: one line, and the log goes on
            LOG.severe("entry " + index + " of the masters' log was not applied: " + sdm.api.node.ErrorLine.of(e));
        }
    }

    private static boolean isDigest(String s) {
        return s.matches("[0-9a-f]{64}");
    }

    /**
     * A follower drops the bundle a program had before the change, once nothing names it. Only
     * that one: a bundle that came whole through the log may wait for the change that names it
     * behind other changes, and must not be taken for garbage meanwhile. The leader collects its
     * own (it keeps old bundles for rollouts).
     */
    private void dropIfUnnamed(Optional<ProgramStore.Program> before) throws IOException {
        if (!serving && before.isPresent() && !store.names(before.get().sha256())) {
            java.nio.file.Files.deleteIfExists(store.bundle(before.get().sha256()));
        }
    }

    private void applyKeys(StateChange.MachineKeys k) throws IOException {
        CurveKeyPair server = CurveKeyPair.fromSecret(k.serverSecret());
        JoinToken token = JoinToken.parse(k.joinToken());
        if (!token.masterPublicKey().equals(server.publicKey())) {
            throw new IOException("the machine's join token does not name its server key");
        }
        CurveKeyPair admin = CurveKeyPair.fromSecret(k.adminSecret());
        data.write(MasterKeys.SERVER_KEY, server.secretKey(), true);
        data.write(NodeFiles.MASTER_PUBLIC_KEY, server.publicKey(), false);
        data.write(NodeFiles.JOIN_TOKEN, token.text(), true);
        data.write(NodeFiles.ADMIN_KEY, admin.secretKey(), true);
        book.keys(admin.publicKey(), token.slaveKeys().publicKey());
        keys = k;
        keysApplied.run();
    }

    /** Forgets everything: a replicated master at start, before its log gives it all again. */
    void clear() throws IOException {
        store.replace(new ProgramStore.State(0, List.of()));
        store.assembly().clear();
        store.collectGarbage(Set.of());
        book.replace(List.of());
        privateFiles.clear();
        keys = null;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
            @Override
            public void close() throws IOException {
                flush(); // the snapshot's file is the caller's to close
            }
        });
        BundleAssembly.EntryWriter entries = (name, body) -> {
            zip.putNextEntry(new ZipEntry(name));
            body.write(zip);
            zip.closeEntry();
        };
        ProgramStore.State state = store.state();
        entries.entry(PROGRAMS, o -> o.write(StateChange.Codec.JSON.writeValueAsBytes(state)));
        // every whole bundle, not only the programs': one whose change comes after the snapshot
        // would be in neither the snapshot nor the log after it
        for (String sha256 : store.bundleDigests()) {
            InputStream bytes;
            try {
                bytes = Files.newInputStream(store.bundle(sha256));
            } catch (NoSuchFileException e) {
                continue; // collected meanwhile: the leader's own garbage
            }
            try (bytes) {
                entries.entry(BUNDLES + sha256, bytes::transferTo);
            }
        }
        store.assembly().save(PARTS, entries);
        entries.entry(SLAVES, o -> o.write(StateChange.Codec.JSON.writeValueAsBytes(book.all())));
        for (StateChange.PrivateFile f : privateFiles.all()) {
            entries.entry(PRIVATE + f.program() + "/" + f.name(), o -> o.write(f.content()));
        }
        StateChange.MachineKeys k = keys;
        if (k != null) {
            entries.entry(KEYS, o -> o.write(StateChange.Codec.JSON.writeValueAsBytes(k)));
        }
        zip.finish();
    }

    @Override
    public void load(InputStream in) throws IOException {
        clear();
        ProgramStore.State programs = new ProgramStore.State(0, List.of());
        ZipInputStream zip = new ZipInputStream(in);
        InputStream entry = new FilterInputStream(zip) {
            @Override
            public void close() {
                // one entry ends, not the snapshot
            }
        };
        for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
            String name = e.getName();
            if (name.equals(PROGRAMS)) {
                programs = StateChange.Codec.JSON.readValue(entry, ProgramStore.State.class);
            } else if (name.startsWith(BUNDLES) && isDigest(name.substring(BUNDLES.length()))) {
                Files.copy(entry, store.bundle(name.substring(BUNDLES.length())),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else if (name.startsWith(PARTS) && isDigest(name.substring(PARTS.length()))) {
                store.assembly().load(name.substring(PARTS.length()), entry);
            } else if (name.equals(SLAVES)) {
                book.replace(StateChange.Codec.JSON.readValue(entry, new TypeReference<List<Enrollments.Slave>>() { }));
            } else if (name.startsWith(PRIVATE) && name.indexOf('/', PRIVATE.length()) > 0) {
                String path = name.substring(PRIVATE.length());
                privateFiles.apply(new StateChange.PrivateFile(path.substring(0, path.indexOf('/')),
                        path.substring(path.indexOf('/') + 1), entry.readAllBytes()));
            } else if (name.equals(KEYS)) {
                applyKeys(StateChange.Codec.JSON.readValue(entry, StateChange.MachineKeys.class));
            } else {
                throw new IOException("the snapshot holds an unknown entry " + name);
            }
        }
        DataFolder.syncDirectory(store.bundles());
        store.replace(programs);
    }
}
