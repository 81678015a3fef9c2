package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

class FailureBookTest {

    @TempDir
    Path dir;

    private static Message.DesiredProgram desired(String name, String state, long attempt) {
        return new Message.DesiredProgram(name, "1.0.0", "a".repeat(64), 10, ProgramState.of(state), attempt);
    }

    @Test
    void aFailureAnswersItsOwnAttemptOnlyAndOutlivesARestart() throws Exception {
        FailureBook book = new FailureBook(new DataFolder(dir));
        book.put(desired("alpha", "active", 4), "cannot load its library:\tno\nsuch file");

        assertThat(book.answering(desired("alpha", "active", 4))).isNotNull();
        assertThat(book.answering(desired("alpha", "active", 5))).isNull();
        assertThat(book.answering(desired("alpha", "stopped", 4))).isNull();

        FailureBook again = new FailureBook(new DataFolder(dir));
        again.load();
        assertThat(again.answering(desired("alpha", "active", 4)).reason())
                .isEqualTo("cannot load its library: no such file");
    }

    @Test
    void forgottenAndNoLongerDesiredFailuresAreGoneFromDiskToo() throws Exception {
        FailureBook book = new FailureBook(new DataFolder(dir));
        book.put(desired("alpha", "active", 1), "boom");
        book.put(desired("beta", "active", 1), "bang");
        book.put(desired("gamma", "active", 1), "pop");
        book.forget("alpha");
        book.retain(Set.of("alpha", "beta"));

        FailureBook again = new FailureBook(new DataFolder(dir));
        again.load();
        assertThat(again.answering(desired("alpha", "active", 1))).isNull();
        assertThat(again.answering(desired("beta", "active", 1))).isNotNull();
        assertThat(again.answering(desired("gamma", "active", 1))).isNull();
    }

    @Test
    void aDamagedFileIsIgnoredLineByLine() throws Exception {
        DataFolder folder = new DataFolder(dir);
        folder.write(FailureBook.FILE, "alpha\t" + "a".repeat(64) + "\tactive\tnot-a-number\tx\nbroken line", false);
        FailureBook book = new FailureBook(folder);
        book.load();
        assertThat(book.answering(desired("alpha", "active", 1))).isNull();
    }
}
