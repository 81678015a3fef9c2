package sdm.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line that {@link RemoteCommands} writes, run by the Gogo runtime the master runs:
 * each argument arrives as the one string it was, and nothing else runs.
 */
class RemoteCommandsGogoTest {

    /** {@code sdm:echo}: keeps what it was given. */
    public static final class Echo {
        final List<List<Object>> calls = new CopyOnWriteArrayList<>();

        public void echo(Object[] args) {
            calls.add(List.of(args));
        }
    }

    /** Commands of other scopes, and bare names, that an argument must never reach. */
    public static final class Forbidden {
        final List<String> ran = new CopyOnWriteArrayList<>();

        public void install(Object[] args) {
            ran.add("install");
        }

        public void lb(Object[] args) {
            ran.add("lb");
        }
    }

    @TempDir
    Path tmp;

    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private final Echo echo = new Echo();
    private final Forbidden forbidden = new Forbidden();

    @BeforeEach
    void gogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("sdm", echo, "echo");
        processor.addCommand("felix", forbidden, "install");
        processor.addCommand("felix", forbidden, "lb");
    }

    @AfterEach
    void stop() {
        processor.stop();
        threadIO.stop();
    }

    @Test
    void argumentsArriveAsTheStringsTheyWere() throws Exception {
        Path target = tmp.resolve("redirected");
        List<String> hostile = List.of(
                "a; felix:install x", "a | felix:lb", "a && felix:lb", "a || felix:lb", "a & felix:lb",
                "{ felix:install x }", "(felix:lb)", "$(felix:lb)", "${x}", "$x", "$", "[a, b]", "<a=b>",
                "> " + target, ">> " + target, "< /etc/passwd", "*", "?", "~", "~/x", "{a,b}", "# c", "// c", "/* c */",
                "=", "x=1", "\"", "\"; felix:lb; \"", "\\", "a\\", "\\\"", "\\$x", "'", "''", "it's", "'\\''",
                "\\'", "'; felix:lb; '", "'felix:lb'", "`felix:lb`",
                "line\nfelix:lb", "tab\tfelix:lb", "cr\rfelix:lb", "694557e7", "-2", "007", "1e3", "true", "null",
                "--start", "zone=a", "ü €", "");
        List<String> words = new ArrayList<>(List.of("sdm:echo"));
        words.addAll(hostile);
        assertThat(RemoteCommands.of(null).refusal(words)).isEmpty();

        run(RemoteCommands.commandLine(words));

        assertThat(forbidden.ran).isEmpty();
        assertThat(echo.calls).hasSize(1);
        assertThat(echo.calls.get(0)).allSatisfy(a -> assertThat(a).isInstanceOf(String.class));
        assertThat(echo.calls.get(0)).containsExactlyElementsOf(hostile);
        assertThat(Files.exists(target)).isFalse();
    }

    @Test
    void eachArgumentAloneArrivesIntact() throws Exception {
        for (String w : List.of("a;felix:lb", "a|felix:lb", "$(felix:lb)", "{felix:lb}", "\\", "a b", "", "'",
                "x'; felix:lb; echo '")) {
            echo.calls.clear();
            run(RemoteCommands.commandLine(List.of("sdm:echo", w)));
            assertThat(echo.calls).as(w).containsExactly(List.of(w));
        }
        assertThat(forbidden.ran).isEmpty();
    }

    @Test
    void theForbiddenCommandsAreReallyThere() throws Exception {
        run("felix:lb; lb");
        assertThat(forbidden.ran).containsExactly("lb", "lb");
    }

    private void run(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out)) {
            session.execute(line);
        }
    }
}
