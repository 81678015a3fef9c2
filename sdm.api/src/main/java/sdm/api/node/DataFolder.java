package sdm.api.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

/**
 * Small text files in a node's data folder (keys, tokens, ids), written atomically (temp file,
 * fsync, rename) so that a crash leaves the old file or the new one, never half of one. The
 * folder itself is its owner's only ({@code rwx------}).
 */
public final class DataFolder {

    private final Path root;

    public DataFolder(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        if (!Files.getPosixFilePermissions(root).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(root, OWNER_ONLY);
        }
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    /**
     * A secret file's text, as {@link #read}, refused if its group or others may read it.
     *
     * @throws IOException saying how to fix the file's permissions
     */
    public Optional<String> readSecret(String name) throws IOException {
        Path p = root.resolve(name);
        if (Files.exists(p)) {
            requireOwnerOnly(p);
        }
        return read(name);
    }

    /** The file's text without surrounding blanks, or empty if there is no such file. */
    public Optional<String> read(String name) throws IOException {
        Path p = root.resolve(name);
        return Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8).strip()) : Optional.empty();
    }

    /** Writes {@code text} to {@code name}; with {@code secret}, readable by the owner only. */
    public void write(String name, String text, boolean secret) throws IOException {
        Path target = root.resolve(name);
        Path temp = root.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createFile(temp, permissions(secret));
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.write(StandardCharsets.UTF_8.encode(text + "\n"));
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(root);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Appends {@code text} and a line end to {@code name} and forces them to disk: after a crash
     * every append that returned is there, and of one that did not at most a torn last line. A
     * new file is made as {@link #write} makes one.
     */
    public void append(String name, String text, boolean secret) throws IOException {
        Path target = root.resolve(name);
        boolean created = false;
        if (!Files.exists(target)) {
            Files.createFile(target, permissions(secret));
            created = true;
        }
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            java.nio.ByteBuffer bytes = StandardCharsets.UTF_8.encode(text + "\n");
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(false);
        }
        if (created) {
            syncDirectory(root);
        }
    }

    private static java.nio.file.attribute.FileAttribute<?> permissions(boolean secret) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
    }

    /** Deletes {@code name} durably, if it is there. */
    public void delete(String name) throws IOException {
        if (Files.deleteIfExists(root.resolve(name))) {
            syncDirectory(root);
        }
    }

    /**
     * Refuses a secret file that its group or others may read or write, as ssh does with keys.
     *
     * @throws IOException saying how to fix it
     */
    public static void requireOwnerOnly(Path file) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.getPosixFilePermissions(file);
        p.remove(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
        p.remove(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        if (!p.isEmpty()) {
            throw new IOException(file + " may be read or changed by others (" + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)) + "); a secret must be owner-only: chmod 600 " + file);
        }
    }

    /** Makes a rename in {@code dir} durable: after a crash the new name is there, not the old. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes a folder and everything in it (nothing if it is not there). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The persistent id of this node, created on first use. */
    public String nodeId() throws IOException {
        Optional<String> id = read(NodeFiles.NODE_ID);
        if (id.isPresent() && !id.get().isEmpty()) {
            return id.get();
        }
        String fresh = UUID.randomUUID().toString().substring(0, 8);
        write(NodeFiles.NODE_ID, fresh, false);
        return fresh;
    }
}
