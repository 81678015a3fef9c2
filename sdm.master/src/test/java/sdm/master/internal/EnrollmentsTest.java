package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.node.DataFolder;
import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.Message;

class EnrollmentsTest {

    @TempDir
    Path dir;
    private final String admin = CurveKeyPair.generate().publicKey();
    private final String join = CurveKeyPair.generate().publicKey();

    private Enrollments open() throws IOException {
        return Enrollments.open(new DataFolder(dir), admin, join);
    }

    private static Message.Enroll enroll(String id, String key) {
        return new Message.Enroll(id, "name-" + id, key);
    }

    @Test
    void theAdminTheJoinKeyAndEnrolledKeysAreAdmittedInTheirRoles() throws IOException {
        Enrollments book = open();
        String own = CurveKeyPair.generate().publicKey();
        assertThat(book.userIdOf(admin)).isEqualTo("admin");
        assertThat(book.userIdOf(join)).isEqualTo("joiner");
        assertThat(book.userIdOf(own)).isNull();
        assertThat(book.enroll(enroll("n1", own), 1)).isEqualTo(new Message.Enrolled("n1", true));
        assertThat(book.userIdOf(own)).isEqualTo("node:n1");
    }

    @Test
    void anIdTakenByAnotherKeyIsRefusedAndTheSameKeyAgainIsFine() throws IOException {
        Enrollments book = open();
        String first = CurveKeyPair.generate().publicKey();
        String second = CurveKeyPair.generate().publicKey();
        book.enroll(enroll("n1", first), 1);
        assertThat(book.enroll(enroll("n1", first), 2)).as("a known key proves itself in a handshake")
                .isEqualTo(new Message.Enrolled("n1", false));
        assertThat(book.enroll(enroll("n1", second), 3)).isInstanceOf(Message.Refused.class)
                .extracting(m -> ((Message.Refused) m).reason()).asString()
                .contains("node n1 is enrolled with another key");
        assertThat(book.enroll(enroll("n2", first), 4)).isInstanceOf(Message.Refused.class)
                .extracting(m -> ((Message.Refused) m).reason()).asString()
                .contains("this key is enrolled as node n1, not n2");
        assertThat(book.userIdOf(second)).isNull();
    }

    @Test
    void aSlaveMayNotEnrollTheJoinOrTheAdminKey() throws IOException {
        Enrollments book = open();
        assertThat(book.enroll(enroll("n1", join), 1)).isInstanceOf(Message.Refused.class);
        assertThat(book.enroll(enroll("n1", admin), 1)).isInstanceOf(Message.Refused.class);
    }

    @Test
    void aRevokedNodeIsRefusedByKeyAndById() throws IOException {
        Enrollments book = open();
        String own = CurveKeyPair.generate().publicKey();
        book.enroll(enroll("n1", own), 1);
        assertThat(book.revoke("n1", 5)).isTrue();
        assertThat(book.revoke("never", 5)).isFalse();
        assertThat(book.revoked("n1")).isTrue();
        assertThat(book.userIdOf(own)).isNull();
        assertThat(book.enroll(enroll("n1", own), 6)).isInstanceOf(Message.Refused.class);
        assertThat(book.enroll(enroll("n1", CurveKeyPair.generate().publicKey()), 7))
                .isEqualTo(new Message.Refused("node n1 was revoked"));
    }

    @Test
    void theBookSurvivesARestartOwnerOnly() throws IOException {
        String own = CurveKeyPair.generate().publicKey();
        String gone = CurveKeyPair.generate().publicKey();
        Enrollments book = open();
        book.enroll(enroll("n1", own), 1);
        book.enroll(enroll("n2", gone), 2);
        book.revoke("n2", 3);
        Enrollments again = open();
        assertThat(again.userIdOf(own)).isEqualTo("node:n1");
        assertThat(again.userIdOf(gone)).isNull();
        assertThat(again.slave("n1").orElseThrow().fingerprint()).matches("[0-9a-f]{16}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Enrollments.LOG_FILE))))
                .isEqualTo("rw-------");
    }

    @Test
    void aLogLongerThanTheBookIsFoldedIntoTheFileAndNothingIsLost() throws IOException {
        Enrollments book = open();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < Enrollments.FOLD_AT_LEAST; i++) {
            keys.add(CurveKeyPair.generate().publicKey());
            book.enroll(enroll("n" + i, keys.get(i)), i);
            assertThat(Files.exists(dir.resolve(Enrollments.FILE))).as("folded after " + (i + 1))
                    .isEqualTo(i == Enrollments.FOLD_AT_LEAST - 1);
        }
        assertThat(dir.resolve(Enrollments.LOG_FILE)).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Enrollments.FILE))))
                .isEqualTo("rw-------");
        book.revoke("n0", 1_000);
        assertThat(Files.readAllLines(dir.resolve(Enrollments.LOG_FILE))).hasSize(1);
        Enrollments again = open();
        assertThat(again.userIdOf(keys.get(0))).as("revoked after the fold").isNull();
        for (int i = 1; i < keys.size(); i++) {
            assertThat(again.userIdOf(keys.get(i))).isEqualTo("node:n" + i);
        }
    }

    @Test
    void aTornLastLineIsDroppedAndTheNextAppendsAreKept() throws IOException {
        String own = CurveKeyPair.generate().publicKey();
        open().enroll(enroll("n1", own), 1);
        Files.writeString(dir.resolve(Enrollments.LOG_FILE), "{\"nodeId\":\"n2\",\"na",
                java.nio.file.StandardOpenOption.APPEND);
        Enrollments book = open();
        assertThat(book.slave("n2")).isEmpty();
        String next = CurveKeyPair.generate().publicKey();
        book.enroll(enroll("n3", next), 2);
        Enrollments again = open();
        assertThat(again.userIdOf(own)).isEqualTo("node:n1");
        assertThat(again.userIdOf(next)).isEqualTo("node:n3");
    }

    @Test
    void aDamagedLineBeforeTheLastIsOneLine() throws IOException {
        open().enroll(enroll("n1", CurveKeyPair.generate().publicKey()), 1);
        Path log = dir.resolve(Enrollments.LOG_FILE);
        Files.writeString(log, "garbage\n" + Files.readString(log));
        assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessageStartingWith("enrolled.log line 1 is damaged");
    }

    @Test
    void aBatchIsAnsweredInItsOrderAndAFailedWriteUndoesItsNewSlavesOnly() throws IOException {
        Enrollments book = open();
        String a = CurveKeyPair.generate().publicKey();
        String b = CurveKeyPair.generate().publicKey();
        String known = CurveKeyPair.generate().publicKey();
        book.enroll(enroll("k", known), 1);
        List<Message> answers = book.enroll(List.of(enroll("a", a), enroll("a", a), enroll("b", b), enroll("x", a),
                enroll("k", known)), 2);
        assertThat(answers.subList(0, 3)).as("only the first of a new key in place")
                .containsExactly(new Message.Enrolled("a", true), new Message.Enrolled("a", false),
                        new Message.Enrolled("b", true));
        assertThat(answers.get(3)).isInstanceOf(Message.Refused.class);
        assertThat(answers.get(4)).isEqualTo(new Message.Enrolled("k", false));
        assertThat(open().userIdOf(b)).as("written").isEqualTo("node:b");

        Files.delete(dir.resolve(Enrollments.LOG_FILE));
        Files.createDirectories(dir.resolve(Enrollments.LOG_FILE).resolve("in-the-way"));
        String c = CurveKeyPair.generate().publicKey();
        List<Message> failed = book.enroll(List.of(enroll("c", c), enroll("c", c), enroll("k", known)), 3);
        assertThat(failed.get(0)).isInstanceOf(Message.Refused.class);
        assertThat(failed.get(1)).isInstanceOf(Message.Refused.class);
        assertThat(failed.get(2)).isEqualTo(new Message.Enrolled("k", false));
        assertThat(book.userIdOf(c)).isNull();
        assertThat(book.userIdOf(a)).isEqualTo("node:a");

        // the failed append may have left part of a line: the next change folds the log instead
        Files.delete(dir.resolve(Enrollments.LOG_FILE).resolve("in-the-way"));
        Files.delete(dir.resolve(Enrollments.LOG_FILE));
        Files.writeString(dir.resolve(Enrollments.LOG_FILE), "{\"nodeId\":\"c\",\"na");
        String d = CurveKeyPair.generate().publicKey();
        assertThat(book.enroll(enroll("d", d), 4)).isEqualTo(new Message.Enrolled("d", true));
        assertThat(dir.resolve(Enrollments.LOG_FILE)).doesNotExist();
        Enrollments again = open();
        assertThat(List.of(a, b, known, d)).allSatisfy(key -> assertThat(again.userIdOf(key)).startsWith("node:"));
        assertThat(again.userIdOf(c)).isNull();
    }

    @Test
    void aNewJoinKeyReplacesTheOld() throws IOException {
        Enrollments book = open();
        String next = CurveKeyPair.generate().publicKey();
        book.joinKey(next);
        assertThat(book.userIdOf(join)).isNull();
        assertThat(book.userIdOf(next)).isEqualTo("joiner");
    }

    @Test
    void aDamagedBookIsOneLine() throws IOException {
        Files.writeString(dir.resolve(Enrollments.FILE), "{\"format\": 9}");
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessage(
                "enrolled.json is not format 1 of the enrolled slaves");
    }
}
