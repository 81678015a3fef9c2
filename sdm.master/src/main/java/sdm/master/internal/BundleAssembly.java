package sdm.master.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.logging.Logger;

import sdm.api.node.DataFolder;
import sdm.api.node.Sha256;

/**
 * Bundles that come to a follower in chunks through the masters' log: each is written into
 * {@code .part-SHA256} at its offsets, in whatever order the chunks come, and once every byte is
 * there and its digest is right, renamed to the store's bundle file. A chunk of a bundle the
 * store holds already changes nothing. Applied on the log's thread only.
 */
final class BundleAssembly {

    private static final Logger LOG = Logger.getLogger("sdm.master");

    /** A bundle not yet whole: its size and the offsets of the chunks written. */
    record Part(long size, Set<Long> offsets, long covered) {
    }

    private final Path dir;
    private final Function<String, Path> bundle;
    private final Map<String, Part> parts = new TreeMap<>();

    BundleAssembly(Path dir, Function<String, Path> bundle) {
        this.dir = dir;
        this.bundle = bundle;
    }

    void accept(StateChange.BundleChunk c) throws IOException {
        Path target = bundle.apply(c.sha256());
        if (Files.isRegularFile(target)) {
            return;
        }
        Part part = parts.getOrDefault(c.sha256(), new Part(c.size(), Set.of(), 0));
        if (part.size() != c.size()) {
            throw new IOException("a chunk of bundle " + c.sha256() + " says " + c.size() + " bytes, earlier ones "
                    + part.size());
        }
        Path file = partFile(c.sha256());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(c.bytes()), c.offset());
        }
        Set<Long> offsets = new TreeSet<>(part.offsets());
        long covered = part.covered() + (offsets.add(c.offset()) ? c.bytes().length : 0);
        if (covered < c.size()) {
            parts.put(c.sha256(), new Part(c.size(), offsets, covered));
            return;
        }
        parts.remove(c.sha256());
        finish(c.sha256(), file, target);
    }

    private void finish(String sha256, Path file, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        MessageDigest d = Sha256.digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                d.update(buffer, 0, n);
            }
        }
        if (!Sha256.hex(d).equals(sha256)) {
            Files.deleteIfExists(file);
            throw new IOException("bundle " + sha256 + " came through the log with other bytes (digest " + Sha256.hex(d)
                    + "); it is dropped");
        }
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        DataFolder.syncDirectory(dir);
        LOG.fine("bundle " + sha256 + " is complete");
    }

    /** Whether {@code fileName} in the store's folder is the file of a bundle being assembled. */
    boolean assembles(String fileName) {
        return fileName.startsWith(".part-") && parts.containsKey(fileName.substring(".part-".length()));
    }

    /** Forgets every bundle not yet whole, and deletes its file. */
    void clear() throws IOException {
        for (String sha : List.copyOf(parts.keySet())) {
            Files.deleteIfExists(partFile(sha));
        }
        parts.clear();
    }

    /** For a snapshot: each bundle not yet whole, as a header line and its file's bytes. */
    void save(String sha256Prefix, EntryWriter out) throws IOException {
        for (Map.Entry<String, Part> p : parts.entrySet()) {
            String header = p.getValue().size() + " " + p.getValue().covered() + " " + String.join(",",
                    p.getValue().offsets().stream().map(String::valueOf).toList()) + "\n";
            out.entry(sha256Prefix + p.getKey(), stream -> {
                stream.write(header.getBytes(StandardCharsets.US_ASCII));
                Files.copy(partFile(p.getKey()), stream);
            });
        }
    }

    /** From a snapshot: one bundle not yet whole, as {@link #save} wrote it. */
    void load(String sha256, InputStream in) throws IOException {
        StringBuilder header = new StringBuilder();
        for (int b; (b = in.read()) != '\n';) {
            if (b < 0 || header.length() > 1 << 20) {
                throw new IOException("the snapshot's part of bundle " + sha256 + " has no header");
            }
            header.append((char) b);
        }
        String[] f = header.toString().split(" ", -1);
        Set<Long> offsets = new TreeSet<>();
        for (String o : f[2].isEmpty() ? new String[0] : f[2].split(",")) {
            offsets.add(Long.parseLong(o));
        }
        Files.copy(in, partFile(sha256), StandardCopyOption.REPLACE_EXISTING);
        parts.put(sha256, new Part(Long.parseLong(f[0]), offsets, Long.parseLong(f[1])));
    }

    private Path partFile(String sha256) {
        return dir.resolve(".part-" + sha256);
    }

    /** Writes one named entry of a snapshot. */
    @FunctionalInterface
    interface EntryWriter {
        void entry(String name, Body body) throws IOException;
    }

    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }
}
