package sdm.slave.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import sdm.api.ProgramState;
import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

/**
 * The last desired state the master sent, kept in {@code desired.txt} so that a slave that
 * restarts while its master is away runs what it ran. The file has a format of its own,
 * versioned on its first line and written here field by field, so that a change of the wire
 * never changes what a slave finds on its disk, and so that reading it needs no JSON library:
 * <pre>
 * sdm-desired-state 2
 * revision 12
 * program	hello	1.0.0	SHA-256	5120	active	3</pre>
 * one line per program, its fields (name, version, SHA-256, size, state, attempt) apart by tabs,
 * a {@code %}, tab or line break in a version written as {@code %25}, {@code %09}, {@code %0A},
 * {@code %0D}. A {@code desired.json} of an earlier slave is read ({@link DesiredStateJson}) when
 * there is no {@code desired.txt}, and removed at the next save.
 */
final class DesiredStateFile {

    static final String FILE = "desired.txt";
    static final String HEADER = "sdm-desired-state 2";

    private final Path dir;
    private final DataFolder folder;

    DesiredStateFile(Path dir) throws IOException {
        this.dir = dir;
        this.folder = new DataFolder(dir);
    }

    void save(Message.Desired desired) throws IOException {
        StringBuilder out = new StringBuilder(HEADER).append('\n').append("revision ").append(desired.revision())
                .append('\n');
        for (Message.DesiredProgram p : desired.programs()) {
            out.append("program\t").append(p.name()).append('\t').append(escape(p.version())).append('\t')
                    .append(p.sha256()).append('\t').append(p.size()).append('\t').append(p.state().text())
                    .append('\t').append(p.attempt()).append('\n');
        }
        folder.write(FILE, out.toString(), false);
        Files.deleteIfExists(dir.resolve(DesiredStateJson.FILE));
    }

    /**
     * The state kept, if there is one.
     *
     * @throws IOException if the file cannot be read or does not hold a desired state, saying where
     */
    Optional<Message.Desired> load() throws IOException {
        Optional<String> text = folder.read(FILE);
        if (text.isEmpty()) {
            return DesiredStateJson.load(folder);
        }
        List<String> lines = text.get().lines().toList();
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(FILE + " is of a format this slave does not know ("
                    + (lines.isEmpty() ? "empty" : first(lines.get(0))) + ")");
        }
        if (lines.size() < 2 || !lines.get(1).startsWith("revision ")) {
            throw new IOException(FILE + ": line 2 is not the revision");
        }
        long revision = number(lines.get(1).substring("revision ".length()), 2);
        List<Message.DesiredProgram> programs = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != 7 || !f[0].equals("program")) {
                throw new IOException(FILE + ": line " + (i + 1) + " is not a program of 6 fields");
            }
            try {
                programs.add(new Message.DesiredProgram(f[1], unescape(f[2]), f[3], number(f[4], i + 1),
                        ProgramState.of(f[5]), number(f[6], i + 1)));
            } catch (IllegalArgumentException e) {
                throw new IOException(FILE + ": line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return Optional.of(new Message.Desired(revision, programs));
    }

    private static String first(String line) {
        return line.length() > 40 ? line.substring(0, 40) + "..." : line;
    }

    private static long number(String text, int line) throws IOException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(FILE + ": line " + line + ": '" + first(text) + "' is not a whole number");
        }
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace("\t", "%09").replace("\n", "%0A").replace("\r", "%0D");
    }

    private static String unescape(String s) {
        return s.replace("%09", "\t").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
    }
}
