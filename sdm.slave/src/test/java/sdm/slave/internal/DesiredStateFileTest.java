package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
            new Message.DesiredProgram("calc", "2.1.0", "b".repeat(64), 99, ProgramState.UNSUPPORTED, 1)));

    @Test
    void whatIsSavedIsLoadedInItsOwnFormat() throws Exception {
        DataFolder folder = new DataFolder(dir);
        new DesiredStateFile(folder).save(desired);

        assertThat(folder.read(DesiredStateFile.FILE).orElseThrow()).contains("\"format\" : 1")
                .contains("\"state\" : \"unsupported\"").doesNotContain("\"type\"");
        assertThat(new DesiredStateFile(new DataFolder(dir)).load()).contains(desired);
    }

    @Test
    void theWiresMessageThatSlavesOnceKeptIsReadToo() throws Exception {
        DataFolder folder = new DataFolder(dir);
        folder.write(DesiredStateFile.FILE, new String(new MessageCodec().encode(desired), StandardCharsets.UTF_8),
                false);
        assertThat(new DesiredStateFile(folder).load()).contains(desired);
    }

    @Test
    void noFileIsNoStateAndABadOneIsOneClearError() throws Exception {
        DataFolder folder = new DataFolder(dir);
        DesiredStateFile file = new DesiredStateFile(folder);
        assertThat(file.load()).isEmpty();

        for (String[] bad : new String[][] {
                {"{\"format\": 2, \"revision\": 1, \"programs\": []}", "format this slave does not know (2)"},
                {"{\"revision\": 1, \"programs\": []}", "format this slave does not know (0)"},
                {"{\"format\": 1, \"programs\": []}", "'revision' is missing"},
                {"{\"format\": 1, \"revision\": 1}", "'programs' is missing"},
                {"{\"format\": 1, \"revision\": 1, \"programs\": [{\"name\": \"x\", \"version\": \"1\", \"sha256\": \""
                        + "a".repeat(64) + "\", \"size\": 1.5, \"state\": \"active\", \"attempt\": 1}]}", "'size'"},
                {"{\"format\": 1, \"revision\": 1, \"programs\": [{\"name\": \"x\", \"version\": \"1\", \"sha256\": \""
                        + "a".repeat(64) + "\", \"size\": 1, \"state\": \"dancing\", \"attempt\": 1}]}",
                        "unknown program state 'dancing'"}}) {
            folder.write(DesiredStateFile.FILE, bad[0], false);
            assertThatThrownBy(file::load).isInstanceOf(IOException.class).hasMessageContaining(bad[1]);
        }
    }
}
