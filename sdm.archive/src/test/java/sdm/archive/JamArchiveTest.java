package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile and broken archives, each made here byte by byte, each refused in one line. */
class JamArchiveTest {

    private static final String MANIFEST = """
            {"name":"hello","version":"1.0.0","master":{"main":"js/main.js"},
             "native":{"libraries":[{"os":"linux","arch":"x86_64","path":"native/linux-x86_64/libhello.so"}],
                       "functions":[{"name":"add","returns":"int","params":["int","int"]},
                                    {"name":"greet","returns":"string","params":["string"]}]}}""";

    private static byte[] library;
    private static byte[] objectFile;

    @TempDir
    Path dir;

    /** Where the library copies go; every test leaves it empty. */
    private Path scratch;

    @BeforeEach
    void makeScratch() throws IOException {
        scratch = Files.createDirectory(dir.resolve("scratch"));
    }

    @AfterEach
    void scratchIsLeftEmpty() {
        assertThat(scratch).isEmptyDirectory();
    }

    @BeforeAll
    static void compile() throws Exception {
        library = TestLibraries.library();
        objectFile = TestLibraries.objectFile();
    }

    private Map<String, byte[]> validEntries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("MANIFEST.json", MANIFEST.getBytes(StandardCharsets.UTF_8));
        e.put("js/", new byte[0]);
        e.put("js/main.js", "console.log('hi')".getBytes(StandardCharsets.UTF_8));
        e.put("native/linux-x86_64/libhello.so", library);
        return e;
    }

    private Path zip(String file, Map<String, byte[]> entries) throws IOException {
        Path p = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    private void assertRefused(Path zip, ArchiveLimits limits, String expected) {
        assertThatThrownBy(() -> JamArchive.read(zip, limits, scratch)).isInstanceOf(ArchiveException.class)
                .message().startsWith(zip.getFileName() + ": ").contains(expected).doesNotContain("\n");
    }

    private void assertRefused(Path zip, String expected) {
        assertRefused(zip, ArchiveLimits.defaults(), expected);
    }

    /** Rewrites every occurrence of {@code from} in the file (local header and directory alike). */
    private static void patch(Path zip, String from, String to) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + f.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, b, i, t.length);
            }
        }
        Files.write(zip, b);
    }

    /** Marks the central-directory entry named {@code name} as a Unix symlink. */
    private static void makeSymlink(Path zip, String name) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 < b.length; i++) {
            if (buf.getInt(i) == 0x02014b50 && buf.getShort(i + 28) == n.length
                    && java.util.Arrays.equals(b, i + 46, i + 46 + n.length, n, 0, n.length)) {
                b[i + 5] = 3; // made by Unix
                buf.putInt(i + 38, 0120777 << 16);
            }
        }
        Files.write(zip, b);
    }

    @Test
    void aSoundArchiveIsRead() throws Exception {
        JamArchive a = JamArchive.read(zip("hello.jam.zip", validEntries()), ArchiveLimits.defaults(), scratch);
        assertThat(a.manifest().name()).isEqualTo("hello");
        assertThat(a.files()).containsExactly("MANIFEST.json", "js/main.js", "native/linux-x86_64/libhello.so");
    }

    /**
     * Zip slip, a slip hidden inside a path, an absolute path, a Windows-style slip, and the
     * characters of OSGi header syntax, which would add clauses or attributes to the bundle's
     * {@code Bundle-NativeCode}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"../../etc/cron.d/evil", "js/../../evil.js", "/tmp/evil", "..\\evil",
        "native/a.so;osname=win32", "native/a.so,native/b.so", "js/a=b.js", "js/\"quoted\".js"})
    void anUnsafeEntryNameIsRefused(String name) throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put(name, new byte[1]);
        assertRefused(zip("unsafe.jam.zip", e), "entry '" + name + "' is not a safe relative path");
    }

    @Test
    void anEntryNameWithAControlCharacterIsRefusedOnOneLine() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("js/a\r\nSDM-Privileges: all.js", new byte[1]);
        assertRefused(zip("control.jam.zip", e), "entry 'js/a??SDM-Privileges: all.js' is not a safe relative path");
    }

    @Test
    void aSymlinkIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("js/link.js", "/etc/passwd".getBytes(StandardCharsets.UTF_8));
        Path zip = zip("symlink.jam.zip", e);
        makeSymlink(zip, "js/link.js");
        assertRefused(zip, "entry 'js/link.js' is a symbolic link");
    }

    @Test
    void aDuplicateEntryIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("js/util-A.js", "a".getBytes(StandardCharsets.UTF_8));
        e.put("js/util-B.js", "b".getBytes(StandardCharsets.UTF_8));
        Path zip = zip("dup.jam.zip", e);
        patch(zip, "js/util-B.js", "js/util-A.js");
        assertRefused(zip, "entry 'js/util-A.js' appears twice");
    }

    @Test
    void aBombByRatioIsRefusedBeforeItIsInflated() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("js/zeros.js", new byte[8 << 20]);
        assertRefused(zip("bomb.jam.zip", e), "entry 'js/zeros.js' unpacks more than 100:1");
    }

    /**
     * The central header claims the entry's data descriptor and padding after it as compressed
     * bytes, which would allow 100 times more: the ratio is taken from what the inflater read.
     */
    @Test
    void aBombClaimingMoreCompressedBytesThanItHasIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("js/zeros.js", new byte[8 << 20]);
        byte[] b = Files.readAllBytes(zip("claim.jam.zip", e));
        int cen = ZipBytes.centralDirectory(b);
        int padding = (8 << 20) / 100;
        b = ZipBytes.splice(b, cen, new byte[padding]);
        ByteBuffer buf = ZipBytes.le(b);
        buf.putInt(ZipBytes.endRecord(b) + 16, cen + padding);
        buf.putInt(ZipBytes.centralHeader(b, "js/zeros.js") + 20, cen + padding - ZipBytes.data(b, "js/zeros.js"));
        assertRefused(Files.write(dir.resolve("claim.jam.zip"), b), "entry 'js/zeros.js' unpacks more than 100:1");
    }

    @Test
    void anEntryUnpackingToOtherThanItsDeclaredSizeIsRefused() throws Exception {
        byte[] b = Files.readAllBytes(zip("size.jam.zip", validEntries()));
        int header = ZipBytes.centralHeader(b, "js/main.js");
        ZipBytes.le(b).putInt(header + 24, 18);
        assertRefused(Files.write(dir.resolve("size.jam.zip"), b),
                "entry 'js/main.js' unpacks to 17 bytes, not the 18 its header declares");
    }

    @Test
    void librariesAreCheckedInTheScratchFolderGiven() throws Exception {
        Path zip = zip("scratch.jam.zip", validEntries());
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> JamArchive.read(zip, ArchiveLimits.defaults(), missing))
                .isInstanceOf(ArchiveException.class).message()
                .startsWith("scratch.jam.zip: cannot copy native/linux-x86_64/libhello.so into " + missing
                        + " to check it (NoSuchFileException: ")
                .doesNotContain("\n");
    }

    @Test
    void aBombBySizeIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        byte[] noise = new byte[3 << 20];
        new Random(1).nextBytes(noise);
        e.put("js/noise.js", noise);
        assertRefused(zip("big.jam.zip", e), new ArchiveLimits(256L << 20, 2L << 20, 10_000, 100, 1L << 20),
                "unpacks to over 2097152 bytes");
    }

    @Test
    void anArchiveOverItsSizeLimitIsRefused() throws Exception {
        assertRefused(zip("fat.jam.zip", validEntries()), new ArchiveLimits(100, 1L << 30, 10_000, 100, 1L << 20),
                "bytes, over the limit of 100");
    }

    @Test
    void tenThousandAndOneEntriesAreRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        for (int i = 0; e.size() < 10_001; i++) {
            e.put("js/f" + i + ".js", new byte[0]);
        }
        assertRefused(zip("many.jam.zip", e), "holds 10001 entries, over the limit of 10000");
    }

    @Test
    void aMissingManifestIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("app/MANIFEST.json", e.remove("MANIFEST.json"));
        assertRefused(zip("nomanifest.jam.zip", e), "has no MANIFEST.json at its root");
    }

    @Test
    void aBadManifestIsRefusedWithItsReason() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("MANIFEST.json", "{\"name\":\"hello\"".getBytes(StandardCharsets.UTF_8));
        assertRefused(zip("badjson.jam.zip", e), "MANIFEST.json is not valid JSON");
    }

    @Test
    void aMissingLibraryIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.remove("native/linux-x86_64/libhello.so");
        assertRefused(zip("nolib.jam.zip", e), "library native/linux-x86_64/libhello.so is not in the archive");
    }

    @Test
    void aMissingMainScriptIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.remove("js/main.js");
        assertRefused(zip("nomain.jam.zip", e), "master.main js/main.js is not in the archive");
    }

    @Test
    void somethingThatIsNotAZipIsRefused() throws Exception {
        byte[] junk = new byte[4096];
        new Random(2).nextBytes(junk);
        Path p = dir.resolve("junk.jam.zip");
        Files.write(p, junk);
        assertRefused(p, "not a zip file");
    }

    @Test
    void aTruncatedZipIsRefused() throws Exception {
        Path p = zip("cut.jam.zip", validEntries());
        byte[] b = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(b, b.length - 30));
        assertRefused(p, "cut.jam.zip: ");
    }

    private Map<String, byte[]> withLibrary(byte[] bytes) {
        Map<String, byte[]> e = validEntries();
        e.put("native/linux-x86_64/libhello.so", bytes);
        return e;
    }

    @Test
    void aDeclaredFunctionMissingFromItsLibraryIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("MANIFEST.json", MANIFEST.replace("\"greet\"", "\"hidden\"").getBytes(StandardCharsets.UTF_8));
        assertRefused(zip("nofunc.jam.zip", e),
                "library native/linux-x86_64/libhello.so does not define function hidden()");
    }

    @Test
    void aLibraryForAnotherProcessorIsRefused() throws Exception {
        byte[] arm = library.clone();
        arm[18] = (byte) 183; // e_machine: EM_AARCH64
        arm[19] = 0;
        assertRefused(zip("arch.jam.zip", withLibrary(arm)), "is built for ELF machine 183, not for x86_64");
    }

    @Test
    void aLibraryThatIsNotElfIsRefused() throws Exception {
        assertRefused(zip("text.jam.zip", withLibrary("#!/bin/sh\nrm -rf /\n".getBytes(StandardCharsets.UTF_8))),
                "library native/linux-x86_64/libhello.so is not an ELF file");
    }

    @Test
    void anObjectFileIsNotASharedLibrary() throws Exception {
        assertRefused(zip("object.jam.zip", withLibrary(objectFile)), "is an ELF file but not a shared object");
    }

    @Test
    void aTruncatedLibraryIsRefused() throws Exception {
        assertRefused(zip("cutlib.jam.zip", withLibrary(java.util.Arrays.copyOf(library, 200))),
                "has no readable section headers");
    }

    @Test
    void anArchWithoutAnElfMachineIsRefused() throws Exception {
        Map<String, byte[]> e = validEntries();
        e.put("MANIFEST.json", MANIFEST.replace("x86_64\",\"path", "sparc64\",\"path")
                .getBytes(StandardCharsets.UTF_8));
        assertRefused(zip("sparc.jam.zip", e), "arch 'sparc64' is not one SDM can check");
    }
}
