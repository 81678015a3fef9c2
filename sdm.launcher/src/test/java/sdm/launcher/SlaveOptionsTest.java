package sdm.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The slaves' own options, given to this JDK as {@code bin/sdm local} gives them. */
class SlaveOptionsTest {

    @Test
    void theJdkAcceptsThemAndRunsC2Alone() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(LocalMachine.defaultSlaveOptions());
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("bool TieredCompilation\\s+= false")
                .containsPattern("bool UseSerialGC\\s+= true")
                .containsPattern("CICompilerCount\\s+= 1\\b");
    }
}
