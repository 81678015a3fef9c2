package sdm.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A {@code .jam.zip} that has passed every rule of SPEC §2: size and entry limits, safe names
 * (no absolute paths, no {@code ..}, no symlinks, no duplicates), no zip bomb (bytes are
 * counted while reading, never taken from headers), a valid manifest, every file it names
 * present, and each library an ELF shared object for its arch defining every declared
 * function. Nothing is written but private temporary copies of the libraries while checking.
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
            if (!JamManifest.safePath(path)) {
                throw new ArchiveException("entry '" + e.name() + "' is not a safe relative path");
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
        byte[] manifestBytes = readAll(zip, entries, limits);
        if (manifestBytes == null) {
            throw new ArchiveException("has no " + MANIFEST + " at its root");
        }
        JamManifest manifest = JamManifest.parse(manifestBytes);
        Set<String> present = new HashSet<>(files);
        if (manifest.master() != null && !present.contains(manifest.master().main())) {
            throw new ArchiveException("master.main " + manifest.master().main() + " is not in the archive");
        }
        if (manifest.nativeCode() != null) {
            for (JamManifest.Library lib : manifest.nativeCode().libraries()) {
                if (!present.contains(lib.path())) {
                    throw new ArchiveException("library " + lib.path() + " is not in the archive");
                }
            }
            checkLibraries(zip, manifest.nativeCode());
        }
        return new JamArchive(manifest, files);
    }

    /**
     * Each library must be an ELF shared object for its declared arch that defines every
     * declared function. Run after the limits held, so each library is of a bounded size; it is
     * copied to a private temporary file (never to a path named by the archive) and mapped.
     */
    private static void checkLibraries(Path zip, JamManifest.Native nativeCode) throws IOException, ArchiveException {
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            for (JamManifest.Library lib : nativeCode.libraries()) {
                Path temp = Files.createTempFile("sdm-check-", ".so");
                try {
                    try (InputStream in = zf.getInputStream(zf.getEntry(lib.path()))) {
                        Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    Set<String> defined;
                    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ)) {
                        defined = ElfLibrary.definedFunctions(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()),
                                lib.arch());
                    } catch (ArchiveException e) {
                        throw new ArchiveException("library " + lib.path() + " " + e.getMessage());
                    }
                    for (JamManifest.Function f : nativeCode.functions()) {
                        if (!defined.contains(f.name())) {
                            throw new ArchiveException("library " + lib.path() + " does not define function "
                                    + f.name() + "()");
                        }
                    }
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    /** Inflates every entry, counting bytes; returns the manifest's bytes, or null. */
    private static byte[] readAll(Path zip, List<CentralDirectory.Entry> entries, ArchiveLimits limits)
            throws IOException, ArchiveException {
        byte[] manifest = null;
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
                ByteArrayOutputStream kept = isManifest ? new ByteArrayOutputStream() : null;
                long unpacked = 0;
                long ratioBound = Math.max(limits.ratioFloorBytes(),
                        (long) limits.maxRatio() * Math.max(1, e.packedSize()));
                try (InputStream in = zf.getInputStream(ze)) {
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
                        if (kept != null) {
                            if (unpacked > MAX_MANIFEST_BYTES) {
                                throw new ArchiveException(MANIFEST + " is over " + MAX_MANIFEST_BYTES + " bytes");
                            }
                            kept.write(buffer, 0, n);
                        }
                    }
                }
                if (isManifest) {
                    manifest = kept.toByteArray();
                }
            }
        }
        return manifest;
    }
}
