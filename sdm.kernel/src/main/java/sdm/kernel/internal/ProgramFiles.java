package sdm.kernel.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.graalvm.polyglot.io.FileSystem;

/**
 * What an ES module program sees as files: its own {@code js/} folder, read-only, under the
 * virtual root {@code /js}. The engine resolves each {@code import} to a path; a path outside
 * {@code /js} (a {@code ../} too many, an absolute path, a URL, a bare name such as {@code fs})
 * is refused, and the refusal, one line naming the import, fails the program.
 */
final class ProgramFiles implements FileSystem {

    /** Reads one entry of the program's bundle ({@code js/a.mjs}); null if there is none. */
    interface Entries {
        byte[] read(String entry) throws IOException;
    }

    static final Path ROOT = Path.of("/js");
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private final Entries entries;
    private final Consumer<String> refused;
    private volatile Path workingDirectory = ROOT;

    ProgramFiles(Entries entries, Consumer<String> refused) {
        this.entries = entries;
        this.refused = refused;
    }

    /** The bundle entry of a path under the root, or null for any other path. */
    String entry(Path path) {
        Path p = workingDirectory.resolve(path).normalize();
        if (!p.startsWith(ROOT) || p.equals(ROOT)) {
            return null;
        }
        return "js/" + ROOT.relativize(p).toString();
    }

    private String allowed(Path path) throws IOException {
        String entry = entry(path);
        if (entry == null) {
            String line = "import of '" + path + "' refused: a program imports only its own files under js/";
            refused.accept(line);
            throw new AccessDeniedException(path.toString(), null, line);
        }
        return entry;
    }

    @Override
    public Path parsePath(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            String line = "import of '" + uri + "' refused: a program imports only its own files under js/";
            refused.accept(line);
            throw new UnsupportedOperationException(line);
        }
        return Path.of(uri.getPath());
    }

    @Override
    public Path parsePath(String path) {
        return Path.of(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions)
            throws IOException {
        String entry = allowed(path);
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw new AccessDeniedException(path.toString(), null, "a program's files are read-only");
        }
        if (entries.read(entry) == null) {
            throw new NoSuchFileException(path.toString());
        }
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        throw new AccessDeniedException(dir.toString(), null, "a program's files are read-only");
    }

    @Override
    public void delete(Path path) throws IOException {
        throw new AccessDeniedException(path.toString(), null, "a program's files are read-only");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        String entry = allowed(path);
        for (OpenOption o : options) {
            if (o != StandardOpenOption.READ) {
                throw new AccessDeniedException(path.toString(), null, "a program's files are read-only");
            }
        }
        byte[] bytes = entries.read(entry);
        if (bytes == null) {
            throw new NoSuchFileException(path.toString());
        }
        return new ReadChannel(bytes);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        throw new AccessDeniedException(dir.toString(), null, "a program cannot list its files");
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return workingDirectory.resolve(path);
    }

    /** The main module's folder: what a relative path in the main module is relative to. */
    @Override
    public void setCurrentWorkingDirectory(Path directory) {
        workingDirectory = ROOT.resolve(directory).normalize();
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        allowed(path);
        return workingDirectory.resolve(path).normalize();
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        String entry = allowed(path);
        byte[] bytes = entries.read(entry);
        if (bytes == null) {
            throw new NoSuchFileException(path.toString());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("isRegularFile", true);
        out.put("isDirectory", false);
        out.put("isSymbolicLink", false);
        out.put("isOther", false);
        out.put("size", (long) bytes.length);
        out.put("lastModifiedTime", EPOCH);
        out.put("lastAccessTime", EPOCH);
        out.put("creationTime", EPOCH);
        out.put("fileKey", null);
        return out;
    }

    /** A file's bytes, read-only. */
    private static final class ReadChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private int position;
        private boolean open = true;

        ReadChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(Math.max(0, newPosition), bytes.length);
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
