package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.archive.ArchiveLimits;
import sdm.archive.JamArchive;

class ProgramStoreTest {

    @TempDir
    Path dir;

    private Path archive(String name, String version) throws IOException {
        Path zip = dir.resolve(name + "-" + version + ".jam.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("MANIFEST.json"));
            out.write(("{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"master\":{\"main\":\"js/main.js\"}}")
                    .getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("js/main.js"));
            out.write("console.log(1)".getBytes(StandardCharsets.UTF_8));
        }
        return zip;
    }

    private ProgramStore.Program stage(ProgramStore store, String name, String version, String state)
            throws Exception {
        Path zip = archive(name, version);
        ProgramStore.Staged s = store.stage(JamArchive.read(zip, ArchiveLimits.defaults(), store.incoming()), zip);
        return new ProgramStore.Program(name, version, s.sha256(), s.size(), ProgramState.of(state), List.of(), "", 1);
    }

    @Test
    void whatWasPutIsThereAfterReopening() throws Exception {
        Path root = dir.resolve("programs");
        ProgramStore store = ProgramStore.open(root);
        ProgramStore.Program a = stage(store, "alpha", "1.0.0", "active");
        store.put(a);
        store.put(stage(store, "beta", "2.0.0", "installed"));
        store.put(a.withState(ProgramState.STOPPED, 2));
        assertThat(store.revision()).isEqualTo(3);

        ProgramStore again = ProgramStore.open(root);
        assertThat(again.revision()).isEqualTo(3);
        assertThat(Files.readString(root.resolve("state.json"))).contains("\"stopped\"").doesNotContain("STOPPED");
        assertThat(again.programs()).extracting(ProgramStore.Program::name).containsExactly("alpha", "beta");
        assertThat(again.get("alpha").orElseThrow().state()).isEqualTo(ProgramState.STOPPED);
        assertThat(again.get("alpha").orElseThrow().attempt()).isEqualTo(2);
        assertThat(again.bundle(a.sha256())).isRegularFile();
        assertThat(again.names(a.sha256())).isTrue();
    }

    @Test
    void theSameArchiveGivesTheSameBundle() throws Exception {
        ProgramStore store = ProgramStore.open(dir.resolve("programs"));
        ProgramStore.Program first = stage(store, "alpha", "1.0.0", "active");
        ProgramStore.Program second = stage(store, "alpha", "1.0.0", "active");
        assertThat(second.sha256()).isEqualTo(first.sha256());
        assertThat(stage(store, "alpha", "1.0.1", "active").sha256()).isNotEqualTo(first.sha256());
    }

    @Test
    void whatACrashLeavesBehindIsCleanedAtTheNextStart() throws Exception {
        Path root = dir.resolve("programs");
        ProgramStore store = ProgramStore.open(root);
        ProgramStore.Program kept = stage(store, "alpha", "1.0.0", "active");
        store.put(kept);
        // a crash after staging a bundle and before recording it, and one in the middle of a write
        ProgramStore.Program orphan = stage(store, "beta", "1.0.0", "active");
        Files.writeString(root.resolve(".state.json.1234.tmp"), "{\"revision\":");
        Files.writeString(root.resolve("bundles/.staging-x.tmp"), "half a bundle");

        ProgramStore again = ProgramStore.open(root);
        assertThat(again.programs()).containsExactly(kept);
        assertThat(again.bundle(orphan.sha256())).doesNotExist();
        assertThat(again.bundle(kept.sha256())).isRegularFile();
        try (var files = Files.list(root.resolve("bundles"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(kept.sha256() + ".jar");
        }
        assertThat(root.resolve(".state.json.1234.tmp")).doesNotExist();
    }

    @Test
    void aDamagedStateFileStopsTheStartWithOneLineAndIsLeftAlone() throws Exception {
        Path root = dir.resolve("programs");
        Files.createDirectories(root);
        Files.writeString(root.resolve("state.json"), "{\"revision\": 3, \"programs\": [ {\"name\": ");
        assertThatThrownBy(() -> ProgramStore.open(root)).isInstanceOf(IOException.class)
                .hasMessageContaining("state.json is not readable").message().doesNotContain("\n");
        assertThat(Files.readString(root.resolve("state.json"))).startsWith("{\"revision\": 3");

        Files.writeString(root.resolve("state.json"), "{\"revision\":1,\"programs\":[{\"name\":\"a\",\"version\":\"1\","
                + "\"sha256\":\"" + "0".repeat(64) + "\",\"size\":1,\"state\":\"active\",\"grants\":[],\"source\":\"\"}]}");
        assertThatThrownBy(() -> ProgramStore.open(root)).hasMessageContaining("which is missing");

        Files.writeString(root.resolve("state.json"), "{\"revision\":1,\"programs\":[],\"extra\":1}");
        assertThatThrownBy(() -> ProgramStore.open(root)).hasMessageContaining("not readable");
    }

    @Test
    void onlyDigestsNameBundleFiles() throws Exception {
        ProgramStore store = ProgramStore.open(dir.resolve("programs"));
        assertThatThrownBy(() -> store.bundle("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProgramStore.Program("a", "1", "0".repeat(64), 1, ProgramState.FAILED, List.of(), "", 0))
                .hasMessageContaining("unknown desired state");
    }
}
