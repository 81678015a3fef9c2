package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.archive.ArchiveLimits;
import sdm.archive.JamArchive;

import sdm.testkit.SdmProcess;

/** {@code examples/hello} built with its Makefile (gcc) and packed with {@code bin/sdm pack}. */
class PackIT {

    @TempDir
    Path work;

    private Path hello;

    @BeforeEach
    void copyTheExample() throws Exception {
        Path source = SdmProcess.PROJECT.resolve("examples/hello");
        hello = work.resolve("hello");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path to = hello.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.toString().endsWith(".so") && !p.toString().endsWith(".jam.zip")) {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Process make = new ProcessBuilder("make", "-C", hello.toString()).redirectErrorStream(true).start();
        String out = new String(make.getInputStream().readAllBytes());
        assertThat(make.waitFor()).as(out).isZero();
    }

    @Test
    void theExamplePacksIntoAValidArchive() throws Exception {
        SdmProcess.Result r = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "pack", hello.toString(),
                "-o", "hello.jam.zip");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JamArchive archive = JamArchive.read(work.resolve("hello.jam.zip"), ArchiveLimits.defaults(), work);
        assertThat(archive.manifest().name()).isEqualTo("hello");
        assertThat(archive.files()).contains("native/linux-x86_64/libhello.so", "js/main.js");
    }

    @Test
    void aFolderThatBreaksARuleLeavesNoArchive() throws Exception {
        Path manifest = hello.resolve("MANIFEST.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"tick\"", "\"tock\""));
        SdmProcess.Result r = SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), "pack", hello.toString(),
                "-o", "broken.jam.zip");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("sdm pack: " + hello
                + ": library native/linux-x86_64/libhello.so does not define function tock()");
        assertThat(work.resolve("broken.jam.zip")).doesNotExist();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".pack-"));
        }
    }
}
