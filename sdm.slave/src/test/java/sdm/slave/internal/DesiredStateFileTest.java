package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

class DesiredStateFileTest {

    @TempDir
    Path dir;

    private final Message.Desired desired = new Message.Desired(12, List.of(
            new Message.DesiredProgram("hello", "1.0.0", "a".repeat(64), 5120, ProgramState.ACTIVE, 3),
            new Message.DesiredProgram("calc", "2.1.0 %\tbeta", "b".repeat(64), 99, ProgramState.UNSUPPORTED, 1)));

    @Test
    void whatIsSavedIsLoadedInItsOwnFormat() throws Exception {
        new DesiredStateFile(dir).save(desired);

        assertThat(Files.readString(dir.resolve(DesiredStateFile.FILE))).startsWith("sdm-desired-state 2\nrevision 12\n")
                .contains("program\thello\t1.0.0\t" + "a".repeat(64) + "\t5120\tactive\t3\n")
                .contains("\t2.1.0 %25%09beta\t").contains("\tunsupported\t");
        assertThat(new DesiredStateFile(dir).load()).contains(desired);
    }

    @Test
    void anEarlierSlavesJsonFileIsReadThenReplaced() throws Exception {
        DataFolder folder = new DataFolder(dir);
        folder.write(DesiredStateJson.FILE, """
                {"format": 1, "revision": 12, "programs": [
                 {"name": "hello", "version": "1.0.0", "sha256": "%s", "size": 5120, "state": "active", "attempt": 3},
                 {"name": "calc", "version": "2.1.0 %%\\tbeta", "sha256": "%s", "size": 99, "state": "unsupported",
                  "attempt": 1}]}""".formatted("a".repeat(64), "b".repeat(64)), false);
        DesiredStateFile file = new DesiredStateFile(dir);
        assertThat(file.load()).contains(desired);
        file.save(desired);
        assertThat(dir.resolve(DesiredStateJson.FILE)).doesNotExist();
        assertThat(file.load()).contains(desired);
    }

    @Test
    void theWiresMessageThatSlavesOnceKeptIsReadToo() throws Exception {
        new DataFolder(dir).write(DesiredStateJson.FILE,
                new String(new MessageCodec().encode(desired), StandardCharsets.UTF_8), false);
        assertThat(new DesiredStateFile(dir).load()).contains(desired);
    }

    @Test
    void noFileIsNoStateAndABadOneIsOneClearError() throws Exception {
        DataFolder folder = new DataFolder(dir);
        DesiredStateFile file = new DesiredStateFile(dir);
        assertThat(file.load()).isEmpty();
        String sha = "a".repeat(64);
        for (String[] bad : new String[][] {
                {"sdm-desired-state 3\nrevision 1\n", "format this slave does not know (sdm-desired-state 3)"},
                {"", "format this slave does not know (empty)"},
                {"sdm-desired-state 2\nprogram\tx\n", "line 2 is not the revision"},
                {"sdm-desired-state 2\nrevision one\n", "line 2: 'one' is not a whole number"},
                {"sdm-desired-state 2\nrevision 1\nprogram\tx\t1\n", "line 3 is not a program of 6 fields"},
                {"sdm-desired-state 2\nrevision 1\nprogram\tx\t1\t" + sha + "\t1.5\tactive\t1\n", "line 3: '1.5'"},
                {"sdm-desired-state 2\nrevision 1\nprogram\tx\t1\t" + sha + "\t1\tdancing\t1\n",
                        "line 3: unknown program state 'dancing'"},
                {"sdm-desired-state 2\nrevision 1\nprogram\tX\t1\t" + sha + "\t1\tactive\t1\n", "line 3: bad program name"}}) {
            folder.write(DesiredStateFile.FILE, bad[0], false);
            assertThatThrownBy(file::load).isInstanceOf(IOException.class).hasMessageContaining(bad[1]);
        }
        Files.delete(dir.resolve(DesiredStateFile.FILE));
        for (String[] bad : new String[][] {
                {"{\"format\": 2, \"revision\": 1, \"programs\": []}", "format this slave does not know (2)"},
                {"{\"revision\": 1, \"programs\": []}", "format this slave does not know (0)"},
                {"{\"format\": 1, \"programs\": []}", "'revision' is missing"},
                {"{\"format\": 1, \"revision\": 1}", "'programs' is missing"}}) {
            folder.write(DesiredStateJson.FILE, bad[0], false);
            assertThatThrownBy(file::load).isInstanceOf(IOException.class).hasMessageContaining(bad[1]);
        }
    }
}
