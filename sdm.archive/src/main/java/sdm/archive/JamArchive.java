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
 * declared function. Nothing is written but private temporary copies of the libraries while checking.
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
     * @throws ArchiveException with one line that starts with the archive's file name
     */
    public static JamArchive read(Path zip, ArchiveLimits limits) throws ArchiveException {
        String label = String.valueOf(zip.getFileName());
        try {
            return check(zip, limits);
        } catch (ArchiveException e) {
            throw new ArchiveException(label + ": " + e.getMessage());
        } catch (ZipException e) {
            throw new ArchiveException(label + ": not a readable zip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new ArchiveException(label + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static JamArchive check(Path zip, ArchiveLimits limits) throws IOException, ArchiveException {
        long size = Files.size(zip);
        if (size > limits.maxArchiveBytes()) {
            throw new ArchiveException("is " + size + " bytes, over the limit of " + limits.maxArchiveBytes());
        }
        List<CentralDirectory.Entry> entries;
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            entries = CentralDirectory.read(channel, limits.maxEntries());
        }
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
        try (Contents contents = readAll(zip, entries, limits)) {
            if (contents.manifest == null) {
                throw new ArchiveException("has no " + MANIFEST + " at its root");
            }
            JamManifest manifest = JamManifest.parse(contents.manifest);
            Set<String> present = new HashSet<>(files);
            if (manifest.master() != null && !present.contains(manifest.master().main())) {
                throw new ArchiveException("master.main " + manifest.master().main() + " is not in the archive");
            }
            if (manifest.master() != null && manifest.master().main().endsWith(".mjs")) {
                try (ZipFile zf = new ZipFile(zip.toFile())) {
                    ModuleGraph.check(manifest.master().main(), present, (path, max) -> read(zf, path, max), limits);
                }
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
        Set<String> defined;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ)) {
            defined = ElfLibrary.definedFunctions(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()), lib.arch());
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
     * What one pass over the entries keeps: the manifest's bytes, and a private temporary copy
     * (never at a path named by the archive) of every file that the manifest rules allow to be
     * a library ({@code native/**.so}), since the manifest may come after them. Closing deletes
     * the copies.
     */
    private static final class Contents implements AutoCloseable {
        byte[] manifest;
        final Map<String, Path> libraries = new HashMap<>();

        @Override
        public void close() throws IOException {
            for (Path p : libraries.values()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Inflates every entry once, counting bytes against the limits, never trusting headers. */
    private static Contents readAll(Path zip, List<CentralDirectory.Entry> entries, ArchiveLimits limits)
            throws IOException, ArchiveException {
        Contents contents = new Contents();
        try {
            long total = 0;
            byte[] buffer = new byte[64 << 10];
            try (ZipFile zf = new ZipFile(zip.toFile())) {
                for (CentralDirectory.Entry e : entries) {
                    if (e.isDirectory()) {
                        continue;
                    }
                    ZipEntry ze = zf.getEntry(e.name());
                    if (ze == null) {
                        throw new ArchiveException("entry '" + e.name() + "' cannot be found");
                    }
                    boolean isManifest = e.name().equals(MANIFEST);
                    OutputStream sink = null;
                    if (isManifest) {
                        sink = new ByteArrayOutputStream();
                    } else if (e.name().startsWith("native/") && e.name().endsWith(".so")) {
                        Path copy = Files.createTempFile("sdm-check-", ".so");
                        contents.libraries.put(e.name(), copy);
                        sink = Files.newOutputStream(copy);
                    }
                    long unpacked = 0;
                    long ratioBound = Math.max(limits.ratioFloorBytes(),
                            (long) limits.maxRatio() * Math.max(1, e.packedSize()));
                    try (InputStream in = zf.getInputStream(ze); OutputStream out = sink) {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            unpacked += n;
                            total += n;
                            if (total > limits.maxUnpackedBytes()) {
                                throw new ArchiveException("unpacks to over " + limits.maxUnpackedBytes() + " bytes");
                            }
                            if (unpacked > ratioBound) {
                                throw new ArchiveException("entry '" + e.name() + "' unpacks more than "
                                        + limits.maxRatio() + ":1 (a zip bomb?)");
                            }
                            if (isManifest && unpacked > MAX_MANIFEST_BYTES) {
                                throw new ArchiveException(MANIFEST + " is over " + MAX_MANIFEST_BYTES + " bytes");
                            }
                            if (out != null) {
                                out.write(buffer, 0, n);
                            }
                        }
                    }
                    if (isManifest) {
                        contents.manifest = ((ByteArrayOutputStream) sink).toByteArray();
                    }
                }
            }
            return contents;
        } catch (IOException | ArchiveException | RuntimeException e) {
            contents.close();
            throw e;
        }
    }
}
