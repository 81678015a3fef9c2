package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What acts in the deploy folder, and the one line for anything else. */
class DeployFolderStraysTest {

    private static final String ONLY = ": only *.jam.zip files and sdm.master.cfg act here";

    @TempDir
    Path deploy;

    @Test
    void archivesTheirErrorsAndTheMastersConfigurationAreNotStrays() throws Exception {
        Files.writeString(deploy.resolve("kit.jam.zip"), "x");
        Files.writeString(deploy.resolve("kit.jam.zip.error"), "bad");
        Files.writeString(deploy.resolve("sdm.master.cfg"), "sdm.heartbeat.ms=500");
        Files.writeString(deploy.resolve(".kit.jam.zip.error.0f8fad5b-d9cb-469f-a165-70867728950e.tmp"), "bad");
        assertThat(new DeployFolderStrays().check(deploy)).isEmpty();
    }

    @Test
    void anythingElseGetsOneLineOnce() throws Exception {
        Files.writeString(deploy.resolve("org.apache.felix.fileinstall-evil.cfg"), "felix.fileinstall.dir=/tmp");
        Files.writeString(deploy.resolve("probe.jar"), "x");
        Files.writeString(deploy.resolve("sdm.master-x.cfg"), "x");
        Files.writeString(deploy.resolve("other.error"), "x");
        Files.createDirectories(deploy.resolve("bundle.jam.zip"));
        DeployFolderStrays strays = new DeployFolderStrays();

        assertThat(strays.check(deploy)).containsExactlyInAnyOrder(
                "deploy folder: ignoring org.apache.felix.fileinstall-evil.cfg" + ONLY,
                "deploy folder: ignoring probe.jar" + ONLY,
                "deploy folder: ignoring sdm.master-x.cfg" + ONLY,
                "deploy folder: ignoring other.error" + ONLY,
                "deploy folder: ignoring bundle.jam.zip (a folder)" + ONLY);
        assertThat(strays.check(deploy)).isEmpty();

        Files.delete(deploy.resolve("probe.jar"));
        assertThat(strays.check(deploy)).isEmpty();
        Files.writeString(deploy.resolve("probe.jar"), "again");
        assertThat(strays.check(deploy)).containsExactly("deploy folder: ignoring probe.jar" + ONLY);
    }

    @Test
    void aNameWithControlCharactersStaysOneLine() throws Exception {
        Files.writeString(deploy.resolve("a\nb.cfg"), "x");
        assertThat(new DeployFolderStrays().check(deploy)).containsExactly("deploy folder: ignoring a?b.cfg" + ONLY);
    }

    @Test
    void aMissingFolderHasNoStrays() {
        assertThat(new DeployFolderStrays().check(deploy.resolve("nowhere"))).isEmpty();
    }

    @Test
    void theInstallerTakesArchivesThatAreFilesOnly() throws Exception {
        DeployFolder installer = new DeployFolder();
        Path archive = Files.writeString(deploy.resolve("kit.jam.zip"), "x");
        Path folder = Files.createDirectories(deploy.resolve("dir.jam.zip"));
        assertThat(installer.canHandle(archive.toFile())).isTrue();
        assertThat(installer.canHandle(folder.toFile())).isFalse();
        assertThat(installer.canHandle(new File(deploy.toFile(), ".jam.zip"))).isFalse();
        assertThat(installer.canHandle(Files.writeString(deploy.resolve("x.jar"), "x").toFile())).isFalse();
        assertThat(installer.canHandle(Files.writeString(deploy.resolve("sdm.master.cfg"), "x").toFile())).isFalse();
        assertThat(DeployFolder.acts(deploy.resolve("sdm.master.cfg"))).isTrue();
        assertThat(DeployFolder.acts(folder)).isFalse();
    }
}
