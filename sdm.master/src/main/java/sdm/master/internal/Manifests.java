package sdm.master.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import sdm.archive.ArchiveException;
import sdm.archive.BundleConverter;
import sdm.archive.JamManifest;

/** The manifest of every stored bundle, by SHA-256: read from the bundle once, then kept in memory. */
final class Manifests {

    private final ProgramStore store;
    private final Map<String, JamManifest> bySha256 = new ConcurrentHashMap<>();

    Manifests(ProgramStore store) {
        this.store = store;
    }

    /** The manifest of a bundle, or null if the bundle is not known. */
    JamManifest get(String sha256) {
        return bySha256.get(sha256);
    }

    void put(String sha256, JamManifest manifest) {
        bySha256.put(sha256, manifest);
    }

    /** Reads the manifest that the converter copied into a stored bundle. */
    void load(String sha256) throws IOException {
        try (ZipFile zip = new ZipFile(store.bundle(sha256).toFile())) {
            ZipEntry e = zip.getEntry(BundleConverter.MANIFEST_COPY);
            if (e == null) {
                throw new IOException("bundle " + sha256 + " has no " + BundleConverter.MANIFEST_COPY);
            }
            try (InputStream in = zip.getInputStream(e)) {
                bySha256.put(sha256, JamManifest.parse(in.readAllBytes()));
            } catch (ArchiveException ex) {
                throw new IOException("bundle " + sha256 + ": " + ex.getMessage());
            }
        }
    }

    void retainAll(Set<String> sha256s) {
        bySha256.keySet().retainAll(sha256s);
    }
}
