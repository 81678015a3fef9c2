package sdm.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code sdm pack}: writes a program folder ({@code MANIFEST.json}, {@code js/}, {@code native/})
 * as a {@code .jam.zip}, entries sorted and timestamps fixed, then checks the result with
 * every rule of {@link JamArchive}. A folder that breaks a rule leaves no archive behind.
 */
public final class JamPacker {

    private static final List<String> PARTS = List.of("js", "native");

    private JamPacker() {
    }

    /**
     * Packs {@code folder} into {@code target} (null: {@code NAME-VERSION.jam.zip} in the working folder).
     *
     * @return the archive written
     * @throws ArchiveException naming what is wrong with the folder
     */
    public static Path pack(Path folder, Path target) throws ArchiveException, IOException {
        if (!Files.isDirectory(folder)) {
            throw new ArchiveException(folder + " is not a folder");
        }
        Path manifestFile = folder.resolve(JamArchive.MANIFEST);
        if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveException(folder + " has no " + JamArchive.MANIFEST);
        }
        JamManifest manifest = JamManifest.parse(Files.readAllBytes(manifestFile));
        Path out = target != null ? target : Path.of(manifest.name() + "-" + manifest.version() + ".jam.zip");
        Path parent = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new ArchiveException("cannot write " + out + ": there is no folder " + parent);
        }
        List<String> files = new ArrayList<>(List.of(JamArchive.MANIFEST));
        for (String part : PARTS) {
            Path root = folder.resolve(part);
            if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path p : walk.sorted().toList()) {
                        if (Files.isSymbolicLink(p)) {
                            throw new ArchiveException(folder.relativize(p) + " is a symbolic link");
                        }
                        if (Files.isRegularFile(p)) {
                            files.add(folder.relativize(p).toString().replace('\\', '/'));
                        }
                    }
                }
            }
        }
        files.sort(null);
        Path temp = Files.createTempFile(parent, ".pack-", ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(temp); ZipOutputStream z = new ZipOutputStream(o)) {
                for (String name : files) {
                    ZipEntry e = new ZipEntry(name);
                    e.setTime(BundleConverter.FIXED_TIME);
                    z.putNextEntry(e);
                    Files.copy(folder.resolve(name), z);
                    z.closeEntry();
                }
            }
            try {
                JamArchive.read(temp, ArchiveLimits.defaults(), parent);
            } catch (ArchiveException e) {
                // the message names the temporary file: name the folder instead
                String message = e.getMessage();
                throw new ArchiveException(folder + ": " + message.substring(message.indexOf(": ") + 2));
            }
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
