package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramLogsTest {

    @TempDir
    Path dir;

    @Test
    void linesAreOneLineEachAndSafeForATerminal() {
        ProgramLogs logs = new ProgramLogs(dir);
        logs.append("demo", "log", "first\nsecond \u001b[2J\u001b]0;title\u0007");
        assertThat(logs.recent("demo", 10)).singleElement().asString()
                .endsWith("demo log: first second \\u001b[2J\\u001b]0;title\\u0007");
        logs.machine("node \u001b[31mred\u001b[0m joined");
        assertThat(logs.recent(null, 10)).last().asString().contains("node \\u001b[31mred\\u001b[0m joined");
    }

    @Test
    void theAuditLogIsRotatedPastItsSizeAndKeepsFourOldOnes() throws IOException {
        ProgramLogs logs = new ProgramLogs(dir, 200);
        for (int i = 0; i < 60; i++) {
            logs.audit("demo", "denied call " + i + " " + "x".repeat(50));
        }
        assertThat(Files.size(dir.resolve("audit.log"))).isLessThan(400);
        for (int n = 1; n <= 4; n++) {
            assertThat(dir.resolve("audit.log." + n)).exists();
        }
        assertThat(dir.resolve("audit.log.5")).doesNotExist();
        assertThat(Files.readString(dir.resolve("audit.log"))).contains("denied call 59");
    }

    @Test
    void tableCellsAreSafeForATerminal() {
        Table t = new Table("NAME", "LABELS");
        t.row("evil\u001b[2J", null);
        assertThat(t.toString()).contains("evil\\u001b[2J").contains("-").doesNotContain("\u001b");
    }
}
