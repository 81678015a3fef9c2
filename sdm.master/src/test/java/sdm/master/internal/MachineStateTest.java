package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.api.node.NodeFiles;
import sdm.api.node.Sha256;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;

/** The state replicated masters share, applied from encoded changes as a follower gets them, and through a snapshot. */
class MachineStateTest {

    @TempDir
    Path dir;

    private MachineState state(Path root) throws Exception {
        DataFolder data = new DataFolder(root);
        ProgramStore store = ProgramStore.open(root.resolve("programs"));
        Enrollments book = Enrollments.replicated(data, change -> { });
        MachineState s = new MachineState(store, book, data, new PrivateFiles(root.resolve("programs/private")));
        store.journal(s::apply);
        return s;
    }

    private static ProgramStore store(MachineState s) throws Exception {
        var f = MachineState.class.getDeclaredField("store");
        f.setAccessible(true);
        return (ProgramStore) f.get(s);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) throws Exception {
        MessageDigest d = Sha256.digest();
        d.update(b);
        return Sha256.hex(d);
    }

    /** Applies the change as a follower does: through its bytes in the log. */
    private static void applyEncoded(MachineState s, long index, StateChange c) throws Exception {
        s.apply(index, StateChange.Codec.encode(c));
    }

    private static List<StateChange.BundleChunk> chunks(byte[] bundle, int size) throws Exception {
        List<StateChange.BundleChunk> out = new ArrayList<>();
        for (int off = 0; off < bundle.length; off += size) {
            out.add(new StateChange.BundleChunk(sha(bundle), bundle.length, off,
                    java.util.Arrays.copyOfRange(bundle, off, Math.min(bundle.length, off + size))));
        }
        return out;
    }

    @Test
    void aBundleInChunksOfAnyOrderBecomesTheStoresFileAndAProgramNamesIt() throws Exception {
        MachineState s = state(dir.resolve("f"));
        byte[] bundle = bytes(3 * 1000 + 17, 1);
        List<StateChange.BundleChunk> parts = chunks(bundle, 1000);
        Collections.reverse(parts);
        long index = 1;
        for (StateChange.BundleChunk c : parts) {
            applyEncoded(s, index++, c);
        }
        applyEncoded(s, index++, parts.getFirst()); // a chunk again (a replay) changes nothing
        ProgramStore store = store(s);
        assertThat(Files.readAllBytes(store.bundle(sha(bundle)))).isEqualTo(bundle);
        ProgramStore.Program p = new ProgramStore.Program("alpha", "1.0.0", sha(bundle), bundle.length,
                ProgramState.ACTIVE, List.of("programs.control"), "", 7);
        applyEncoded(s, index, new StateChange.ProgramPut(p));
        assertThat(store.get("alpha")).contains(p);
        assertThat(store.revision()).as("above every attempt given").isGreaterThanOrEqualTo(7);
    }

    @Test
    void chunksWhoseBytesDoNotMatchTheirDigestLeaveNoBundle() throws Exception {
        MachineState s = state(dir.resolve("f"));
        byte[] bundle = bytes(2000, 2);
        String claimed = sha(bytes(2000, 3));
        s.apply(1, StateChange.Codec.encode(new StateChange.BundleChunk(claimed, 2000, 0,
                java.util.Arrays.copyOf(bundle, 1000))));
        s.apply(2, StateChange.Codec.encode(new StateChange.BundleChunk(claimed, 2000, 1000,
                java.util.Arrays.copyOfRange(bundle, 1000, 2000))));
        assertThat(Files.exists(store(s).bundle(claimed))).isFalse();
        try (var files = Files.list(store(s).bundles())) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aSnapshotCarriesProgramsBundlesHalfBundlesSlavesStoresAndKeysToAnotherMaster() throws Exception {
        MachineState leader = state(dir.resolve("a"));
        byte[] whole = bytes(1500, 4);
        byte[] half = bytes(3000, 5);
        long index = 1;
        for (StateChange.BundleChunk c : chunks(whole, 1000)) {
            applyEncoded(leader, index++, c);
        }
        applyEncoded(leader, index++, chunks(half, 1000).get(1));
        ProgramStore.Program p = new ProgramStore.Program("alpha", "1.0.0", sha(whole), whole.length,
                ProgramState.STOPPED, List.of(), "deploy:alpha.jam.zip", 3);
        applyEncoded(leader, index++, new StateChange.ProgramPut(p));
        Enrollments.Slave slave = new Enrollments.Slave("n1", "one", CurveKeyPair.generate().publicKey(), 10, 0);
        applyEncoded(leader, index++, new StateChange.SlavesRecorded(List.of(slave)));
        CurveKeyPair server = CurveKeyPair.generate();
        StateChange.MachineKeys keys = new StateChange.MachineKeys(server.secretKey(),
                JoinToken.create(server.publicKey()).text(), CurveKeyPair.generate().secretKey());
        applyEncoded(leader, index++, keys);
        byte[] stored = "{\"starts\":\"3\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        applyEncoded(leader, index, new StateChange.PrivateFile("alpha", "store.json", stored));

        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        leader.save(snapshot);
        Path other = dir.resolve("b");
        MachineState follower = state(other);
        follower.load(new ByteArrayInputStream(snapshot.toByteArray()));

        ProgramStore store = store(follower);
        assertThat(store.programs()).containsExactly(p);
        assertThat(Files.readAllBytes(store.bundle(sha(whole)))).isEqualTo(whole);
        assertThat(follower.keys()).contains(keys);
        assertThat(Files.readString(other.resolve(NodeFiles.JOIN_TOKEN)).strip()).isEqualTo(keys.joinToken());
        var f = MachineState.class.getDeclaredField("book");
        f.setAccessible(true);
        Enrollments book = (Enrollments) f.get(follower);
        assertThat(book.all()).containsExactly(slave);
        assertThat(book.userIdOf(slave.publicKey())).isNotNull();
        Path storeFile = other.resolve("programs/private/alpha/store.json");
        assertThat(Files.readAllBytes(storeFile)).isEqualTo(stored);
        applyEncoded(follower, 9, new StateChange.ProgramRemoved("alpha"));
        assertThat(storeFile).as("a program's private files go with it").doesNotExist();
        // the half bundle goes on where it stopped: its other chunks complete it
        List<StateChange.BundleChunk> rest = chunks(half, 1000);
        applyEncoded(follower, 10, rest.get(0));
        applyEncoded(follower, 11, rest.get(2));
        assertThat(Files.readAllBytes(store.bundle(sha(half)))).isEqualTo(half);
    }

    @Test
    void aBundleWholeBeforeTheSnapshotAndNamedAfterItIsInTheSnapshot() throws Exception {
        MachineState leader = state(dir.resolve("a"));
        byte[] bundle = bytes(2500, 6);
        long index = 1;
        for (StateChange.BundleChunk c : chunks(bundle, 1000)) {
            applyEncoded(leader, index++, c);
        }
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        leader.save(snapshot);
        MachineState follower = state(dir.resolve("b"));
        follower.load(new ByteArrayInputStream(snapshot.toByteArray()));
        // the log after the snapshot: the change naming the bundle, and no chunk of it
        ProgramStore.Program p = new ProgramStore.Program("beta", "1.0.0", sha(bundle), bundle.length,
                ProgramState.ACTIVE, List.of(), "admin", 1);
        applyEncoded(follower, index, new StateChange.ProgramPut(p));

        ProgramStore store = store(follower);
        assertThat(store.programs()).containsExactly(p);
        assertThat(Files.readAllBytes(store.bundle(sha(bundle)))).isEqualTo(bundle);
    }

    @Test
    void bytesThatAreNoChangeAreRefusedWithOneLine() {
        assertThatThrownBy(() -> StateChange.Codec.decode(new byte[] {'J', '{'})).hasMessageStartingWith(
                "not a state change");
        assertThatThrownBy(() -> StateChange.Codec.decode(new byte[] {7, 7})).hasMessageContaining("unknown format");
    }
}
