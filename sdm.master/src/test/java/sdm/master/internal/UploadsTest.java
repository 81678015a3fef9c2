package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.transport.zmq.Message;

class UploadsTest {

    @TempDir
    Path dir;

    @Test
    void chunksInOrderMakeTheFileAndACommandTakesIt() throws Exception {
        Uploads uploads = new Uploads(dir.resolve("uploads"), 100);
        assertThat(uploads.accept(new Message.Upload("u1", "a.jam.zip", 0, 5, new byte[] {1, 2, 3}), 0).received())
                .isEqualTo(3);
        assertThatThrownBy(() -> uploads.take("u1")).hasMessageContaining("incomplete");
        Message.UploadAck last = uploads.accept(new Message.Upload("u1", "a.jam.zip", 3, 5, new byte[] {4, 5}), 0);
        assertThat(last.received()).isEqualTo(5);
        assertThat(last.error()).isEmpty();
        Path file = uploads.take("u1");
        assertThat(file.getFileName().toString()).isEqualTo("a.jam.zip");
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3, 4, 5);
        uploads.discard("u1");
        assertThat(file).doesNotExist();
    }

    @Test
    void hostileUploadsAreRefusedAndLeaveNothing() throws Exception {
        Uploads uploads = new Uploads(dir.resolve("uploads"), 100);
        assertThat(uploads.accept(new Message.Upload("u1", "../../evil", 0, 1, new byte[1]), 0).error())
                .contains("not a plain file name");
        assertThat(uploads.accept(new Message.Upload("u2", ".hidden", 0, 1, new byte[1]), 0).error())
                .contains("not a plain file name");
        assertThat(uploads.accept(new Message.Upload("../u3", "a.jam.zip", 0, 1, new byte[1]), 0).error())
                .contains("not a plain file name");
        assertThat(uploads.accept(new Message.Upload("u4", "a.jam.zip", 0, 101, new byte[1]), 0).error())
                .contains("over the limit of 100");
        uploads.accept(new Message.Upload("u5", "a.jam.zip", 0, 10, new byte[2]), 0);
        assertThat(uploads.accept(new Message.Upload("u5", "a.jam.zip", 5, 10, new byte[2]), 0).error())
                .contains("out of order");
        assertThat(uploads.accept(new Message.Upload("u6", "a.jam.zip", 0, 2, new byte[3]), 0).error())
                .contains("out of order");
        try (var files = Files.list(dir.resolve("uploads"))) {
            assertThat(files).isEmpty();
        }
        assertThat(dir.resolve("evil")).doesNotExist();
    }

    @Test
    void abandonedUploadsAreSweptAndAStartEmptiesTheFolder() throws IOException {
        Uploads uploads = new Uploads(dir.resolve("uploads"), 100);
        uploads.accept(new Message.Upload("u1", "a.jam.zip", 0, 10, new byte[2]), 0);
        uploads.sweep(60_000);
        assertThat(dir.resolve("uploads/u1/a.jam.zip")).exists();
        uploads.sweep(10 * 60_000);
        assertThat(dir.resolve("uploads/u1")).doesNotExist();

        uploads.accept(new Message.Upload("u2", "a.jam.zip", 0, 10, new byte[2]), 0);
        new Uploads(dir.resolve("uploads"), 100);
        assertThat(dir.resolve("uploads/u2")).doesNotExist();
    }
}
