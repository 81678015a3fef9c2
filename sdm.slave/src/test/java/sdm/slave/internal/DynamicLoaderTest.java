package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicLoaderTest {

    @TempDir
    Path folder;

    @Test
    void aLibraryThatLoadsSaysSo() throws Exception {
        Path lib = Files.write(folder.resolve("libdemo.so"), TestLibrary.bytes());
        assertThat(DynamicLoader.error(lib)).isEqualTo("it loads now");
    }

    @Test
    void theLoadersReasonLeavesTheFolderOut() throws IOException {
        Path lib = Files.writeString(folder.resolve("libdemo.so"), "not a library");
        String reason = DynamicLoader.error(lib);
        assertThat(reason).startsWith("libdemo.so: ").doesNotContain(folder.toString());
    }
}
