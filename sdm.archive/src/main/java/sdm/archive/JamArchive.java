package sdm.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A {@code .jam.zip} that has passed every rule of docs/contract.md §2: size and entry limits, safe names
 * (no absolute paths, no {@code ..}, no symlinks, no duplicates), no zip bomb (bytes are
 * counted while reading, never taken from headers), a valid manifest, every file it names
 * present, an ES module {@code main} importing only files of the archive under {@code js/}
 * ({@link ModuleImports}), and each library an ELF shared object for its arch defining every
 * declared function. Nothing is written but private copies of the libraries, in the caller's
 * scratch folder, while checking.
 */
public final class JamArchive {

    public static final String MANIFEST = "MANIFEST.json";
    private static final int MAX_MANIFEST_BYTES = 1 << 20;

    private final JamManifest manifest;
    private final List<String> files;

    private JamArchive(JamManifest manifest, List<String> files) {
        this.manifest = manifest;
        this.files = List.copyOf(files);
    }

    public JamManifest manifest() {
        return manifest;
    }

    /** The file entries, in archive order. */
    public List<String> files() {
        return files;
    }

    /**
     * Reads and checks an archive.
     *
     * @param scratch a folder of the caller's, on the disk it keeps its own data on, where a
     *                private copy of each library is written to be checked (up to the unpacked
     *                limit in all); every copy is deleted before this returns. Copies a kill
     *                leaves behind are named {@code check-*.so}, for the caller to delete.
     * @throws ArchiveException with one line that starts with the archive's file name
     */
    public static JamArchive read(Path zip, ArchiveLimits limits, Path scratch) throws ArchiveException {
        String label = String.valueOf(zip.getFileName());
        try {
            return check(zip, limits, scratch);
        } catch (ArchiveException e) {
            throw new ArchiveException(label + ": " + e.getMessage());
        } catch (ScratchException e) {
            throw new ArchiveException(label + ": " + e.getMessage());
        } catch (ZipException e) {
            throw new ArchiveException(label + ": not a readable zip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new ArchiveException(label + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static JamArchive check(Path zip, ArchiveLimits limits, Path scratch) throws IOException, ArchiveException {
        long size = Files.size(zip);
        if (size > limits.maxArchiveBytes()) {
            throw new ArchiveException("is " + size + " bytes, over the limit of " + limits.maxArchiveBytes());
        }
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            List<CentralDirectory.Entry> entries = CentralDirectory.read(channel, limits.maxEntries());
            try (ZipFile zf = new ZipFile(zip.toFile())) {
                checkSameAsJdk(entries, zf);
                List<String> files = checkNames(entries);
                try (Contents contents = readAll(channel, entries, limits, scratch)) {
                    return checkContents(contents, files, zf, limits);
                }
            }
        }
    }

    /**
     * The JDK reads the entries that the central directory lists, in its order, with the same
     * sizes: the rules are checked on what the converter will copy.
     */
    private static void checkSameAsJdk(List<CentralDirectory.Entry> entries, ZipFile zf) throws ArchiveException {
        List<ZipEntry> jdk = zf.stream().map(ZipEntry.class::cast).toList();
        boolean same = jdk.size() == entries.size();
        for (int i = 0; same && i < jdk.size(); i++) {
            ZipEntry z = jdk.get(i);
            CentralDirectory.Entry e = entries.get(i);
            same = z.getName().equals(e.name()) && z.getMethod() == e.method()
                    && z.getCompressedSize() == e.packedSize() && z.getSize() == e.declaredSize();
        }
        if (!same) {
            throw new ArchiveException("the JDK's zip reader finds other entries than its central directory lists");
        }
    }

    /** The file entries, after checking every name: safe, not a link, not twice. */
    private static List<String> checkNames(List<CentralDirectory.Entry> entries) throws ArchiveException {
        Set<String> names = new HashSet<>();
        List<String> files = new ArrayList<>();
        for (CentralDirectory.Entry e : entries) {
            String path = e.isDirectory() ? e.name().substring(0, e.name().length() - 1) : e.name();
            String problem = JamManifest.pathProblem(path);
            if (problem != null) {
                throw new ArchiveException("entry '" + e.name() + "' is not a safe relative path: it " + problem);
            }
            if (e.isSymlink()) {
                throw new ArchiveException("entry '" + e.name() + "' is a symbolic link");
            }
            if (!names.add(e.name())) {
                throw new ArchiveException("entry '" + e.name() + "' appears twice");
            }
            if (!e.isDirectory()) {
                files.add(e.name());
            }
        }
        return files;
    }

    private static JamArchive checkContents(Contents contents, List<String> files, ZipFile zf, ArchiveLimits limits)
            throws IOException, ArchiveException {
        if (contents.manifest == null) {
            throw new ArchiveException("has no " + MANIFEST + " at its root");
        }
        JamManifest manifest = JamManifest.parse(contents.manifest);
        Set<String> present = new HashSet<>(files);
        if (manifest.master() != null && !present.contains(manifest.master().main())) {
            throw new ArchiveException("master.main " + manifest.master().main() + " is not in the archive");
        }
        if (manifest.master() != null && manifest.master().main().endsWith(".mjs")) {
            ModuleGraph.check(manifest.master().main(), present, (path, max) -> read(zf, path, max), limits);
        }
        if (manifest.nativeCode() != null) {
            for (JamManifest.Library lib : manifest.nativeCode().libraries()) {
                Path copy = contents.libraries.get(lib.path());
                if (copy == null) {
                    throw new ArchiveException("library " + lib.path() + " is not in the archive");
                }
                checkLibrary(lib, copy, manifest.nativeCode().functions());
            }
        }
        return new JamArchive(manifest, files);
    }

    /** At most {@code max + 1} bytes of an entry known to be there. */
    private static byte[] read(ZipFile zf, String name, int max) throws IOException {
        try (InputStream in = zf.getInputStream(zf.getEntry(name))) {
            return in.readNBytes(max + 1);
        }
    }

    /** A library must be an ELF shared object for its declared arch that defines every declared function. */
    private static void checkLibrary(JamManifest.Library lib, Path copy, List<JamManifest.Function> functions)
            throws IOException, ArchiveException {
        Set<String> wanted = new HashSet<>();
        functions.forEach(f -> wanted.add(f.name()));
        Set<String> defined;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new ArchiveException("is over " + Integer.MAX_VALUE + " bytes, too big to check");
            }
            defined = ElfLibrary.definedFunctions(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()), lib.arch(), wanted);
        } catch (ArchiveException e) {
            throw new ArchiveException("library " + lib.path() + " " + e.getMessage());
        }
        for (JamManifest.Function f : functions) {
            if (!defined.contains(f.name())) {
                throw new ArchiveException("library " + lib.path() + " does not define function " + f.name() + "()");
            }
        }
    }

    /**
     * What one pass over the entries keeps: the manifest's bytes, and a private copy in the
     * scratch folder (never at a path named by the archive) of every file that the manifest
     * rules allow to be a library ({@code native/**.so}), since the manifest may come after
     * them. Closing deletes the copies.
     */
    private static final class Contents implements AutoCloseable {
        byte[] manifest;
        final Map<String, Path> libraries = new HashMap<>();

        @Override
        public void close() throws IOException {
            IOException failed = null;
            for (Path p : libraries.values()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    if (failed == null) {
                        failed = e;
                    } else {
                        failed.addSuppressed(e);
                    }
                }
            }
            if (failed != null) {
                throw failed;
            }
        }
    }

    /** The scratch folder cannot take a copy: the caller's disk, not the archive, is at fault. */
    private static final class ScratchException extends IOException {
        private static final long serialVersionUID = 1L;

        ScratchException(CentralDirectory.Entry e, Path scratch, IOException cause) {
            super("cannot copy " + e.name() + " into " + scratch + " to check it (" + cause.getClass().getSimpleName()
                    + ": " + cause.getMessage() + ")");
        }
    }

    /** A library's copy in the scratch folder, whose failures are {@link ScratchException}s. */
    private static final class ScratchCopy extends OutputStream {
        private final OutputStream out;
        private final CentralDirectory.Entry entry;
        private final Path scratch;

        ScratchCopy(Path copy, CentralDirectory.Entry entry, Path scratch) throws ScratchException {
            this.entry = entry;
            this.scratch = scratch;
            try {
                out = Files.newOutputStream(copy);
            } catch (IOException x) {
                throw new ScratchException(entry, scratch, x);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException x) {
                throw new ScratchException(entry, scratch, x);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException x) {
                throw new ScratchException(entry, scratch, x);
            }
        }
    }

    /** Unpacks every entry once, straight from the file, counting bytes against the limits ({@link Unpacker}). */
    private static Contents readAll(FileChannel zip, List<CentralDirectory.Entry> entries, ArchiveLimits limits,
            Path scratch) throws IOException, ArchiveException {
        Contents contents = new Contents();
        try {
            Unpacker unpacker = new Unpacker(zip, limits);
            for (CentralDirectory.Entry e : entries) {
                if (e.isDirectory()) {
                    continue;
                }
                if (e.name().equals(MANIFEST)) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    unpacker.unpack(e, bytes, MAX_MANIFEST_BYTES);
                    contents.manifest = bytes.toByteArray();
                } else if (e.name().startsWith("native/") && e.name().endsWith(".so")) {
                    Path copy;
                    try {
                        copy = Files.createTempFile(scratch, "check-", ".so");
                    } catch (IOException x) {
                        throw new ScratchException(e, scratch, x);
                    }
                    contents.libraries.put(e.name(), copy);
                    try (OutputStream out = new ScratchCopy(copy, e, scratch)) {
                        unpacker.unpack(e, out, Long.MAX_VALUE);
                    }
                } else {
                    unpacker.unpack(e, null, Long.MAX_VALUE);
                }
            }
            return contents;
        } catch (IOException | ArchiveException | RuntimeException e) {
            try {
                contents.close();
            } catch (IOException x) {
                e.addSuppressed(x);
            }
            throw e;
        }
    }
}
