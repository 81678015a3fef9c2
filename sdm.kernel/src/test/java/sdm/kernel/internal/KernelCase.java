package sdm.kernel.internal;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test of one program's system calls: its kernel, made by the test, closed after it. */
abstract class KernelCase {

    @TempDir
    Path folder;
    TestKernel k;

    @AfterEach
    void stop() {
        if (k != null) {
            k.close();
        }
    }
}
