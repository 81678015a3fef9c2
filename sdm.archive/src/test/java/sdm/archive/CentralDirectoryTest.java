package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static sdm.archive.ZipBytes.le;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives whose central directory a hostile writer shaped so that the validator and the JDK's
 * {@link java.util.zip.ZipFile} (which the converter copies from) would not see the same
 * entries: each is refused in one line, and where the JDK would find a hidden entry the test
 * shows that it does.
 */
class CentralDirectoryTest {

    private static final String HIDDEN = "../../etc/cron.d/evil";

    @TempDir
    Path dir;

    private static Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("MANIFEST.json", "{\"name\":\"plain\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/main.js\"}}"
                .getBytes(StandardCharsets.UTF_8));
        e.put("js/main.js", "console.log('hi')".getBytes(StandardCharsets.UTF_8));
        return e;
    }

    /** The two sound entries, then {@link #HIDDEN}, which every rule refuses. */
    private static byte[] withHidden() throws Exception {
        Map<String, byte[]> e = entries();
        e.put(HIDDEN, "* * * * * root rm -rf /".getBytes(StandardCharsets.UTF_8));
        return ZipBytes.zip(e, Set.of());
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private void assertRefused(Path zip, String expected) {
        assertThatThrownBy(() -> JamArchive.read(zip, ArchiveLimits.defaults(), dir))
                .isInstanceOf(ArchiveException.class)
                .message().startsWith(zip.getFileName() + ": ").contains(expected).doesNotContain("\n");
    }

    @Test
    void aSoundArchiveIsRead() throws Exception {
        Path zip = write("sound.jam.zip", ZipBytes.zip(entries(), Set.of("js/main.js")));
        assertThat(JamArchive.read(zip, ArchiveLimits.defaults(), dir).files())
                .containsExactlyElementsOf(ZipBytes.jdkNames(zip));
    }

    @Test
    void anEntryBeyondTheCountOfTheEndRecordIsRefused() throws Exception {
        byte[] b = withHidden();
        int end = ZipBytes.endRecord(b);
        le(b).putShort(end + 8, (short) 2).putShort(end + 10, (short) 2);
        Path zip = write("counted.jam.zip", b);
        assertThat(ZipBytes.jdkNames(zip)).contains(HIDDEN);
        assertRefused(zip, "its end record declares 2 entries but its central directory holds 3");
    }

    /**
     * The end record points at a directory without the hidden entry, while the JDK reads the
     * one that ends at the end record, and shifts every local header by the difference.
     */
    @Test
    void aSecondCentralDirectoryIsRefused() throws Exception {
        byte[] b = withHidden();
        int end = ZipBytes.endRecord(b);
        int cen = ZipBytes.centralDirectory(b);
        byte[] locals = Arrays.copyOfRange(b, 0, cen);
        byte[] full = Arrays.copyOfRange(b, cen, end);
        byte[] decoy = Arrays.copyOfRange(b, cen, ZipBytes.centralHeader(b, HIDDEN));
        byte[] record = Arrays.copyOfRange(b, end, b.length);
        le(record).putShort(8, (short) 2).putShort(10, (short) 2).putInt(12, full.length)
                .putInt(16, decoy.length + locals.length);
        Path zip = write("two.jam.zip", ZipBytes.concat(new byte[decoy.length], locals, decoy, full, record));
        assertThat(ZipBytes.jdkNames(zip)).contains(HIDDEN);
        assertRefused(zip, "does not end where its end record begins");
    }

    @Test
    void bytesAfterTheLastCentralHeaderAreRefused() throws Exception {
        byte[] b = ZipBytes.zip(entries(), Set.of());
        int end = ZipBytes.endRecord(b);
        int size = le(b).getInt(end + 12);
        b = ZipBytes.splice(b, end, new byte[10]);
        le(b).putInt(end + 10 + 12, size + 10);
        assertRefused(write("garbage.jam.zip", b), "holds 10 bytes at offset " + size + " that are not a central header");
    }

    @Test
    void bytesAfterTheEndRecordAreRefused() throws Exception {
        byte[] b = ZipBytes.concat(ZipBytes.zip(entries(), Set.of()), new byte[7]);
        Path zip = write("tail.jam.zip", b);
        assertThat(ZipBytes.jdkNames(zip)).hasSize(2);
        assertRefused(zip, "has 7 bytes after its end of central directory");
    }

    /** An entry whose header and data lie inside another's data, where a streaming reader would not look. */
    @Test
    void overlappingEntriesAreRefused() throws Exception {
        byte[] inner = "export const x = 1;".getBytes(StandardCharsets.UTF_8);
        byte[] single = ZipBytes.zip(Map.of("js/b.js", inner), Set.of("js/b.js"));
        Map<String, byte[]> e = entries();
        e.put("js/a.bin", Arrays.copyOfRange(single, 0, ZipBytes.centralDirectory(single)));
        e.put("js/b.js", inner);
        byte[] b = ZipBytes.zip(e, Set.of("js/a.bin", "js/b.js"));
        le(b).putInt(ZipBytes.centralHeader(b, "js/b.js") + 42, ZipBytes.data(b, "js/a.bin"));
        Path zip = write("overlap.jam.zip", b);
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            assertThat(z.getInputStream(z.getEntry("js/b.js")).readAllBytes()).isEqualTo(inner);
        }
        assertRefused(zip, "entries 'js/a.bin' and 'js/b.js' overlap");
    }

    @Test
    void aLocalHeaderNamingAnotherFileIsRefused() throws Exception {
        byte[] b = ZipBytes.zip(entries(), Set.of());
        ByteBuffer buf = le(b);
        buf.put(ZipBytes.localHeader(b, "js/main.js") + 30, "js/evil.js".getBytes(StandardCharsets.UTF_8));
        assertRefused(write("renamed.jam.zip", b), "entry 'js/main.js' has no local header of that name");
    }

    @Test
    void aZip64LocatorIsRefused() throws Exception {
        byte[] b = ZipBytes.zip(entries(), Set.of());
        int end = ZipBytes.endRecord(b);
        byte[] locator = new byte[20];
        le(locator).putInt(0, 0x07064b50);
        b = ZipBytes.splice(b, end, locator);
        ByteBuffer buf = le(b);
        buf.putInt(end + 20 + 12, buf.getInt(end + 20 + 12) + 20);
        assertRefused(write("zip64.jam.zip", b), "zip64 archives are not supported");
    }
}
