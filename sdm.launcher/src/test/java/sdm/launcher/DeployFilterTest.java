package sdm.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileInstall, as the launcher sets it up for the master's deploy folder. */
class DeployFilterTest {

    @TempDir
    Path data;

    @Test
    void fileInstallSeesArchivesAndTheMastersConfigurationOnly() throws Exception {
        Map<String, String> props = Main.masterProperties(data, "127.0.0.1:7700", null);
        Pattern filter = Pattern.compile(props.get("felix.fileinstall.filter"));
        // FileInstall's plain scanner matches whole file names
        assertThat(filter.matcher("kit-1.0.0.jam.zip").matches()).isTrue();
        assertThat(filter.matcher("sdm.master.cfg").matches()).isTrue();
        for (String name : new String[] {"org.apache.felix.fileinstall-evil.cfg", "probe.jar", "sdm.master-x.cfg",
                "xsdm.master.cfg", "sdm.master.cfg.bak", "sdm.master.config", "kit.jam.zip.error", ".jam.zip",
                "kit.jam.zip.jar", "org.apache.felix.fileinstall.cfg", "sdm.masterXcfg", "a/b.jam.zip"}) {
            assertThat(filter.matcher(name).matches()).as(name).isFalse();
        }
        assertThat(props).containsEntry("felix.fileinstall.subdir.mode", "skip")
                .containsEntry("felix.fileinstall.disableNio2", "true")
                .containsEntry("felix.fileinstall.enableConfigSave", "false")
                .containsEntry("felix.fileinstall.dir", data.resolve("deploy").toString());
    }
}
