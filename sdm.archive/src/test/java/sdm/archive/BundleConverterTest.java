package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Verifier;

class BundleConverterTest {

    @TempDir
    Path dir;

    private Path archive(String file, String manifest) throws Exception {
        return archive(file, manifest, System.currentTimeMillis());
    }

    /** An archive whose entries all carry {@code time}. */
    private Path archive(String file, String manifest, long time) throws Exception {
        Path p = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : Map.of("native/linux-x86_64/libhello.so", TestLibraries.library(),
                    "js/main.js", "console.log(1)".getBytes(StandardCharsets.UTF_8),
                    "js/lib/util.js", "export {}".getBytes(StandardCharsets.UTF_8),
                    "MANIFEST.json", manifest.getBytes(StandardCharsets.UTF_8)).entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(time);
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    private static final String MANIFEST = """
            {"name":"hello","version":"1.2.0-rc.1","description":"says hello",
             "master":{"main":"js/main.js"},
             "native":{"libraries":[{"os":"linux","arch":"x86_64","path":"native/linux-x86_64/libhello.so"}],
                       "functions":[{"name":"add","returns":"int","params":["int","int"]},
                                    {"name":"greet","returns":"string","params":["string"]}]},
             "privileges":["programs.control"], "placement":{"labels":{"zone":"a"}}}""";

    private byte[] convert(Path zip) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleConverter.convert(JamArchive.read(zip, ArchiveLimits.defaults(), dir), zip, out);
        return out.toByteArray();
    }

    @Test
    void theSameArchiveAlwaysGivesTheSameBytes() throws Exception {
        Path monday = archive("a.jam.zip", MANIFEST, 1_700_000_000_000L);
        Path tuesday = archive("b.jam.zip", MANIFEST, 1_700_086_400_000L);
        assertThat(Files.readAllBytes(tuesday)).isNotEqualTo(Files.readAllBytes(monday));
        assertThat(convert(tuesday)).isEqualTo(convert(monday));
    }

    @Test
    void theBundleCarriesTheProgram() throws Exception {
        byte[] bundle = convert(archive("hello.jam.zip", MANIFEST));
        try (JarInputStream jar = new JarInputStream(new java.io.ByteArrayInputStream(bundle))) {
            Manifest m = jar.getManifest();
            var a = m.getMainAttributes();
            assertThat(a.getValue("Bundle-SymbolicName")).isEqualTo("jam.hello");
            assertThat(a.getValue("Bundle-Version")).isEqualTo("1.2.0.rc_1");
            assertThat(a.getValue("SDM-Version")).isEqualTo("1.2.0-rc.1");
            assertThat(a.getValue("Bundle-NativeCode"))
                    .isEqualTo("native/linux-x86_64/libhello.so;osname=linux;processor=x86_64,*");
            assertThat(a.getValue("SDM-Native-Functions"))
                    .isEqualTo("add;returns=int;params=\"int,int\",greet;returns=string;params=\"string\"");
            assertThat(a.getValue("SDM-Master-Main")).isEqualTo("js/main.js");
            assertThat(a.getValue("SDM-Privileges")).isEqualTo("programs.control");
            assertThat(a.getValue("SDM-Placement")).isEqualTo("zone=a");
        }
    }

    @Test
    void bndFindsNothingWrongWithTheBundle() throws Exception {
        Path bundle = dir.resolve("hello.jar");
        Files.write(bundle, convert(archive("hello.jam.zip", MANIFEST)));
        try (Jar jar = new Jar(bundle.toFile()); Verifier verifier = new Verifier(jar)) {
            verifier.verify();
            assertThat(verifier.getErrors()).isEmpty();
            assertThat(jar.getResource("native/linux-x86_64/libhello.so")).isNotNull();
            assertThat(jar.getResource(BundleConverter.MANIFEST_COPY)).isNotNull();
            assertThat(jar.getResource("MANIFEST.json")).isNull();
        }
    }

    @Test
    void semanticVersionsBecomeOsgiVersions() {
        assertThat(BundleConverter.osgiVersion("1.2.3")).isEqualTo("1.2.3");
        assertThat(BundleConverter.osgiVersion("1.2.3-beta.2")).isEqualTo("1.2.3.beta_2");
        assertThat(BundleConverter.osgiVersion("1.2.3+build.7")).isEqualTo("1.2.3.build_7");
        assertThat(BundleConverter.osgiVersion("1.2.3-rc.1+sha.5114f85")).isEqualTo("1.2.3.rc_1_sha_5114f85");
    }

    @Test
    void incompressibleEntriesAreNotDeflatedAgainButTextIs() throws Exception {
        Path p = dir.resolve("blob.jam.zip");
        byte[] blob = new byte[256 << 10];
        new java.util.Random(7).nextBytes(blob);
        byte[] text = "let x = 1;\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : Map.of("MANIFEST.json", "{\"name\":\"blob\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/main.js\"}}"
                    .getBytes(StandardCharsets.UTF_8), "js/main.js", text, "js/blob.bin", blob).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        Path bundle = dir.resolve("blob.jar");
        Files.write(bundle, convert(p));
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(bundle.toFile())) {
            ZipEntry b = zip.getEntry("js/blob.bin");
            assertThat(b.getMethod()).as("stored").isEqualTo(ZipEntry.STORED);
            assertThat(b.getCompressedSize()).isEqualTo(blob.length);
            ZipEntry t = zip.getEntry("js/main.js");
            assertThat(t.getCompressedSize()).as("text is still deflated").isLessThan(text.length / 10);
            assertThat(zip.getInputStream(b).readAllBytes()).isEqualTo(blob);
        }
        assertThat(convert(p)).isEqualTo(Files.readAllBytes(bundle));
        Path copy = dir.resolve("blob.copy");
        assertThat(StoredEntries.copy(bundle, "js/blob.bin", copy)).as("a stored entry is copied").isTrue();
        assertThat(Files.readAllBytes(copy)).isEqualTo(blob);
        assertThat(StoredEntries.copy(bundle, "js/main.js", dir.resolve("text.copy"))).as("a deflated one is not")
                .isFalse();
        assertThat(dir.resolve("text.copy")).doesNotExist();
        assertThat(StoredEntries.copy(bundle, "js/none.bin", dir.resolve("none.copy"))).isFalse();
    }
}
