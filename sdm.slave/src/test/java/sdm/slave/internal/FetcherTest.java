package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.api.ProgramState;
import sdm.transport.zmq.Message;

/** The fetcher against a master played by the test: credit, resumption, digest check. */
class FetcherTest {

    @TempDir
    Path dir;

    private final List<Message.Fetch> asked = new ArrayList<>();
    private final List<String> arrived = new ArrayList<>();

    private Fetcher fetcher() {
        return new Fetcher(dir, m -> asked.add((Message.Fetch) m), new Fetcher.Listener() {
            @Override
            public void arrived(String sha256) {
                arrived.add(sha256);
            }

            @Override
            public void progressed() {
                // reports are the agent's
            }
        });
    }

    private static byte[] bundle(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static Message.Chunk chunk(String sha, byte[] bytes, Message.Fetch f) {
        return new Message.Chunk(sha, f.offset(), bytes.length,
                Arrays.copyOfRange(bytes, (int) f.offset(), (int) f.offset() + f.length()));
    }

    @Test
    void aBundleArrivesWithAtMostTheCreditInFlightAndIsCheckedBeforeItIsKept() throws Exception {
        byte[] bytes = bundle(20 * Fetcher.CHUNK + 123);
        String sha = sha256(bytes);
        Fetcher f = fetcher();
        f.connected();
        f.fetch(new Message.DesiredProgram("alpha", "1.0.0", sha, bytes.length, ProgramState.ACTIVE, 1));
        assertThat(asked).hasSize(Fetcher.CREDIT);

        int answered = 0;
        while (answered < asked.size()) {
            f.receive(chunk(sha, bytes, asked.get(answered++)));
            assertThat(asked.size() - answered).isLessThanOrEqualTo(Fetcher.CREDIT);
        }
        assertThat(answered).isEqualTo(21);
        assertThat(arrived).containsExactly(sha);
        assertThat(f.fetching(sha)).isFalse();
        assertThat(Files.readAllBytes(f.jar(sha))).isEqualTo(bytes);
        assertThat(dir.resolve(sha + ".part")).doesNotExist();
    }

    /** Answers every fetch asked, newest first within each credit's worth: the chunks come out of order. */
    private void answerBackwards(Fetcher f, String sha, byte[] bytes) {
        int answered = 0;
        while (answered < asked.size()) {
            List<Message.Fetch> window = new ArrayList<>(asked.subList(answered, asked.size()));
            answered = asked.size();
            for (Message.Fetch fetch : window.reversed()) {
                f.receive(chunk(sha, bytes, fetch));
            }
        }
    }

    @Test
    void chunksOutOfOrderAreHashedAsTheyComeAndABadOneIsCaught() throws Exception {
        byte[] bytes = bundle(20 * Fetcher.CHUNK + 5);
        String sha = sha256(bytes);
        Fetcher f = fetcher();
        f.connected();
        f.fetch(new Message.DesiredProgram("alpha", "1.0.0", sha, bytes.length, ProgramState.ACTIVE, 1));
        answerBackwards(f, sha, bytes);
        assertThat(arrived).containsExactly(sha);
        assertThat(Files.readAllBytes(f.jar(sha))).isEqualTo(bytes);

        byte[] other = bundle(20 * Fetcher.CHUNK + 7);
        String otherSha = sha256(other);
        other[3 * Fetcher.CHUNK + 1] ^= 1; // one bit flipped on the way
        asked.clear();
        f.fetch(new Message.DesiredProgram("beta", "1.0.0", otherSha, other.length, ProgramState.ACTIVE, 1));
        answerBackwards(f, otherSha, other);
        assertThat(arrived).containsExactly(sha);
        assertThat(f.jar(otherSha)).doesNotExist();
    }

    @Test
    void aNewSessionAsksAgainForWhatIsMissingAndAWrongDigestIsNotKept() throws Exception {
        byte[] bytes = bundle(3 * Fetcher.CHUNK);
        String claimed = sha256(bundle(7));
        Fetcher f = fetcher();
        f.fetch(new Message.DesiredProgram("alpha", "1.0.0", claimed, bytes.length, ProgramState.ACTIVE, 1));
        assertThat(asked).isEmpty();

        f.connected();
        assertThat(asked).extracting(Message.Fetch::offset).containsExactly(0L, (long) Fetcher.CHUNK,
                2L * Fetcher.CHUNK);
        f.receive(chunk(claimed, bytes, asked.get(1)));
        assertThat(f.progress(claimed)).isEqualTo("fetching: 33% of " + bytes.length + " bytes");
        f.disconnected();
        f.connected();
        assertThat(asked.subList(3, asked.size())).extracting(Message.Fetch::offset)
                .containsExactly(0L, 2L * Fetcher.CHUNK);

        f.receive(chunk(claimed, bytes, asked.get(3)));
        f.receive(chunk(claimed, bytes, asked.get(4)));
        assertThat(arrived).isEmpty();
        assertThat(f.jar(claimed)).doesNotExist();
        assertThat(f.fetching(claimed)).isFalse();
    }

    @Test
    void chunksOfAnotherSizeOrPlaceAndUnwantedTransfersAreDropped() throws Exception {
        byte[] bytes = bundle(2 * Fetcher.CHUNK);
        String sha = sha256(bytes);
        Fetcher f = fetcher();
        f.connected();
        f.fetch(new Message.DesiredProgram("alpha", "1.0.0", sha, bytes.length, ProgramState.ACTIVE, 1));
        f.receive(new Message.Chunk(sha, 1, bytes.length, new byte[Fetcher.CHUNK]));
        f.receive(new Message.Chunk(sha, 0, bytes.length + 1, new byte[Fetcher.CHUNK]));
        f.receive(new Message.Chunk(sha, 0, bytes.length, new byte[10]));
        assertThat(f.progress(sha)).startsWith("fetching: 0%");

        f.retain(Set.of());
        assertThat(f.fetching(sha)).isFalse();
        assertThat(dir.resolve(sha + ".part")).doesNotExist();
    }
}
