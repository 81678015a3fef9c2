package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.Platform;
import sdm.transport.zmq.Message;

class NativeLoadTest {

    private static final String ADD = "{\"name\": \"add\", \"returns\": \"int\", \"params\": [\"int\", \"int\"]}";

    @TempDir
    Path root;
    NativeFixture n;

    @BeforeEach
    void start() throws IOException {
        n = new NativeFixture(root);
    }

    @AfterEach
    void close() throws IOException {
        n.close();
    }

    private List<Message.Event> events() {
        List<Message.Event> out = new ArrayList<>();
        n.events.drain(System.currentTimeMillis(), out::add);
        return out;
    }

    @Test
    void aLibraryTheBundleFileStoresIsCopiedOutOfTheFileItself() throws Exception {
        byte[] library = TestLibrary.bytes();
        Path jar = root.resolve("demo.jar");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(TestLibrary.PATH);
            e.setMethod(java.util.zip.ZipEntry.STORED);
            e.setSize(library.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(library);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(library);
            z.closeEntry();
        }
        // the entry Felix would serve is not a library: only the copy out of the jar loads
        n.entry(TestLibrary.PATH, "not a library".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        n.manifest(TestLibrary.manifest(TestLibrary.PATH, TestLibrary.FUNCTIONS));
        n.load(jar);
        assertThat(n.call("add", 2, 3).value()).isEqualTo(5);
    }

    @Test
    void whatAnEarlierRunExtractedIsDeletedAtTheStart() throws IOException {
        Path old = Files.createDirectories(root.resolve("old/native/demo-1"));
        Files.writeString(old.resolve("libdemo.so"), "from an earlier run");
        NativeFixture again = new NativeFixture(root.resolve("old"));
        assertThat(again.extractedFolders()).isEmpty();
        again.close();
    }

    @Test
    void aLoadedLibraryIsExtractedToAFolderOfItsOwnUntilUnloaded() throws Exception {
        n.loadTestLibrary();
        assertThat(n.natives.loadedPrograms()).containsExactly(NativeFixture.PROGRAM);
        assertThat(n.extractedFolders()).singleElement()
                .satisfies(f -> assertThat(f.getFileName().toString()).startsWith("demo-"))
                .satisfies(f -> assertThat(f.resolve("libdemo.so")).exists());
        n.natives.unload(NativeFixture.PROGRAM);
        assertThat(n.natives.loadedPrograms()).isEmpty();
        assertThat(n.extractedFolders()).isEmpty();
    }

    @Test
    void loadingAgainReplacesTheLibrary() throws Exception {
        n.loadTestLibrary();
        Path first = n.extractedFolders().get(0);
        n.load();
        assertThat(n.extractedFolders()).singleElement().isNotEqualTo(first);
        assertThat(n.call("add", 1, 2).value()).isEqualTo(3);
    }

    @Test
    void aProgramWithoutNativeCodeLoadsNothing() throws IOException {
        n.manifest("{\"name\": \"demo\", \"version\": \"1.0.0\", \"master\": {\"main\": \"js/main.js\"}}");
        n.load();
        assertThat(n.natives.loadedPrograms()).isEmpty();
    }

    @Test
    void aBundleWithoutItsManifestIsOneLine() {
        assertThatThrownBy(n::load).isInstanceOf(IOException.class).hasMessage("the bundle has no SDM-INF/MANIFEST.json");
    }

    @Test
    void aDamagedManifestIsOneLine() throws IOException {
        n.manifest("{");
        assertThatThrownBy(n::load).isInstanceOf(IOException.class).hasMessageStartingWith("MANIFEST.json is not valid JSON");
    }

    @Test
    void noLibraryForThisPlatformIsOneLine() throws IOException {
        n.manifest(TestLibrary.manifest("plan9", TestLibrary.PATH, ADD));
        assertThatThrownBy(n::load).hasMessage("no library for " + Platform.os() + "/" + Platform.arch());
    }

    @Test
    void aLibraryMissingFromTheBundleIsOneLine() throws IOException {
        n.manifest(TestLibrary.manifest(TestLibrary.PATH, ADD));
        assertThatThrownBy(n::load).hasMessage("the bundle has no entry " + TestLibrary.PATH);
    }

    @Test
    void aFunctionTheLibraryLacksIsOneLineAndLeavesNothingLoaded() throws Exception {
        n.entry(TestLibrary.PATH, TestLibrary.bytes());
        n.manifest(TestLibrary.manifest(TestLibrary.PATH,
                ADD + ", {\"name\": \"ghost\", \"returns\": \"void\", \"params\": []}"));
        assertThatThrownBy(n::load).hasMessage("the library does not define ghost()");
        assertThat(n.natives.loadedPrograms()).isEmpty();
        assertThat(n.extractedFolders()).isEmpty();
    }

    @Test
    void aFileThatDoesNotLoadGivesTheLoadersReasonWithoutTheFolder() throws Exception {
        n.entry(TestLibrary.PATH, "not a library".getBytes(StandardCharsets.UTF_8));
        n.manifest(TestLibrary.manifest(TestLibrary.PATH, ADD));
        assertThatThrownBy(n::load).hasMessageStartingWith("libdemo.so does not load: libdemo.so: ")
                .hasMessageNotContaining(n.extracted.toString());
        assertThat(n.extractedFolders()).isEmpty();
    }

    @Test
    void unloadWaitsForTheRunningCallAndRefusesNewOnes() throws Exception {
        n.loadTestLibrary();
        Path gate = root.resolve("gate");
        n.send("wait_for", gate.toString());
        NativeFixture.await("the call in native code", () -> !n.marksNow().isEmpty());
        Thread unloader = Thread.ofPlatform().start(() -> n.natives.unload(NativeFixture.PROGRAM));
        NativeFixture.await("the unload to begin", () -> n.natives.loadedPrograms().isEmpty());
        assertThat(n.call("add", 1, 2).error()).isEqualTo("program demo is not active on this node");
        assertThat(unloader.isAlive()).as("unloading under a running call").isTrue();
        assertThat(n.extractedFolders()).hasSize(1);
        Files.writeString(gate, "open");
        assertThat(n.nextResult().value()).isEqualTo(true);
        unloader.join(10_000);
        assertThat(unloader.isAlive()).isFalse();
        assertThat(n.extractedFolders()).isEmpty();
    }

    @Test
    void aLibraryLogsThroughTheEventQueue() throws Exception {
        n.loadTestLibrary();
        n.call("say", 0, "hello");
        n.call("say", 2, "it broke");
        assertThat(events()).extracting(Message.Event::program, Message.Event::level, Message.Event::text)
                .containsExactly(tuple("demo", "log", "hello"), tuple("demo", "error", "it broke"));
    }

    @Test
    void aLogLineWithoutItsEndIsCut() throws Exception {
        n.loadTestLibrary();
        n.call("say_unterminated");
        assertThat(events()).singleElement().extracting(Message.Event::text)
                .isEqualTo("y".repeat(Message.Event.MAX_TEXT));
    }
}
