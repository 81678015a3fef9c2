package sdm.master.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import sdm.api.node.DataFolder;

/**
 * The programs' private folders ({@code DATA/programs/private/NAME/}): files written whole and
 * durably, on a single master at once, on replicated masters through their log ({@link
 * StateChange.PrivateFile}), so that a program's {@code sdm.store} is there on the next leader.
 */
final class PrivateFiles {

    private final Path root;
    private volatile Journal journal;

    PrivateFiles(Path root) {
        this.root = root;
        this.journal = change -> apply((StateChange.PrivateFile) change);
    }

    static boolean isValidName(String name) {
        return name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    }

    void journal(Journal j) {
        journal = j;
    }

    void write(String program, String name, byte[] content) throws IOException {
        journal.commit(new StateChange.PrivateFile(program, name, content));
    }

    void apply(StateChange.PrivateFile f) throws IOException {
        if (!isValidName(f.name()) || !isValidName(f.program())) {
            throw new IOException("not a private file: " + f.program() + "/" + f.name());
        }
        Path dir = root.resolve(f.program());
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + f.name() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(f.content()));
            ch.force(true);
        }
        Files.move(temp, dir.resolve(f.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DataFolder.syncDirectory(dir);
    }

    /** Every file, for a snapshot. */
    List<StateChange.PrivateFile> all() throws IOException {
        List<StateChange.PrivateFile> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> programs = Files.list(root)) {
            for (Path p : programs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (isValidName(name)) {
                            out.add(new StateChange.PrivateFile(p.getFileName().toString(), name, Files.readAllBytes(f)));
                        }
                    }
                }
            }
        }
        return out;
    }

    void delete(String program) throws IOException {
        DataFolder.deleteTree(root.resolve(program));
    }

    void clear() throws IOException {
        DataFolder.deleteTree(root);
    }
}
