package sdm.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import sdm.api.ProgramBundles;

/**
 * Turns a checked {@link JamArchive} into an OSGi bundle (docs/contract.md §3): {@code jam.NAME}, its version,
 * one {@code Bundle-NativeCode} clause per library plus {@code *} (a node with no library for its
 * platform still installs the bundle, and is reported {@code unsupported}), and {@code SDM-*}
 * headers for the rest of the manifest, which also travels whole as {@value #MANIFEST_COPY}.
 * The same archive always gives the same bytes: entries sorted, one fixed timestamp, fixed
 * compression.
 */
public final class BundleConverter {

    /** Where the program's MANIFEST.json is kept inside the bundle. */
    public static final String MANIFEST_COPY = "SDM-INF/MANIFEST.json";

    /** 1980-02-01 00:00 local DOS time: the earliest a zip can say, the same on every run. */
    static final long FIXED_TIME = 315_532_800_000L + 31L * 24 * 3600 * 1000;

    private BundleConverter() {
    }

    /** Writes the bundle of {@code archive}, read from {@code zip}, to {@code out}. */
    public static void convert(JamArchive archive, Path zip, OutputStream out) throws IOException {
        JamManifest m = archive.manifest();
        try (ZipFile in = new ZipFile(zip.toFile()); ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(Deflater.DEFAULT_COMPRESSION);
            put(z, "META-INF/MANIFEST.MF", osgiManifest(m));
            put(z, MANIFEST_COPY, m.toJson());
            TreeSet<String> directories = new TreeSet<>();
            for (String file : archive.files()) {
                for (int slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) {
                    directories.add(file.substring(0, slash + 1));
                }
            }
            TreeSet<String> entries = new TreeSet<>(directories);
            entries.addAll(archive.files());
            entries.remove(JamArchive.MANIFEST);
            for (String name : entries) {
                if (name.endsWith("/")) {
                    put(z, name, new byte[0]);
                } else {
                    ZipEntry source = in.getEntry(name);
                    try (InputStream data = in.getInputStream(source)) {
                        ZipEntry e = new ZipEntry(name);
                        e.setTime(FIXED_TIME);
                        if (incompressible(source)) {
                            // deflating incompressible data (libraries are not, blobs often are)
                            // costs about 20 ms per MiB for nothing; stored, a slave can also copy
                            // it out of the bundle with the kernel (StoredEntries)
                            e.setMethod(ZipEntry.STORED);
                            e.setSize(source.getSize());
                            e.setCompressedSize(source.getSize());
                            e.setCrc(source.getCrc()); // checked against the bytes as they are written
                        }
                        z.putNextEntry(e);
                        data.transferTo(z);
                        z.closeEntry();
                    }
                }
            }
        }
    }

    /** An entry of over 64 KiB that the archive's own compression left within 2% of its size. */
    static boolean incompressible(ZipEntry e) {
        return e.getSize() > (64 << 10) && e.getCompressedSize() >= e.getSize() - e.getSize() / 50;
    }

    private static void put(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(FIXED_TIME);
        z.putNextEntry(e);
        z.write(bytes);
        z.closeEntry();
    }

    /** The OSGi version of a semantic version: pre-release and build become the qualifier. */
    static String osgiVersion(String semver) {
        int cut = semver.length();
        for (char c : new char[] {'-', '+'}) {
            int i = semver.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        String base = semver.substring(0, cut);
        String rest = semver.substring(cut);
        return rest.isEmpty() ? base : base + "." + rest.substring(1).replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static byte[] osgiManifest(JamManifest m) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Manifest-Version", "1.0");
        headers.put("Bundle-ManifestVersion", "2");
        headers.put("Bundle-SymbolicName", "jam." + m.name());
        headers.put("Bundle-Version", osgiVersion(m.version()));
        headers.put("Bundle-Name", m.name());
        if (m.description() != null && !m.description().isBlank()) {
            headers.put("Bundle-Description", m.description().replaceAll("[\\r\\n]+", " "));
        }
        headers.put(ProgramBundles.HEADER, m.name());
        headers.put("SDM-Version", m.version());
        headers.put("SDM-Manifest", MANIFEST_COPY);
        if (m.master() != null) {
            headers.put("SDM-Master-Main", m.master().main());
            if (!m.master().exports().isEmpty()) {
                headers.put("SDM-Master-Exports", signatures(m.master().exports()));
            }
        }
        if (m.nativeCode() != null) {
            List<String> clauses = new ArrayList<>();
            for (JamManifest.Library lib : m.nativeCode().libraries()) {
                clauses.add(lib.path() + ";osname=" + lib.os() + ";processor=" + lib.arch());
            }
            clauses.add("*");
            headers.put("Bundle-NativeCode", String.join(",", clauses));
            headers.put("SDM-Native-Functions", signatures(m.nativeCode().functions()));
        }
        if (!m.privileges().isEmpty()) {
            headers.put("SDM-Privileges", String.join(",", m.privileges()));
        }
        if (m.placement() != null && !m.placement().labels().isEmpty()) {
            headers.put("SDM-Placement", new java.util.TreeMap<>(m.placement().labels()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        headers.forEach((k, v) -> writeHeader(out, k + ": " + v));
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /** One header, wrapped at 72 bytes with continuation lines, as the JAR format wants. */
    private static void writeHeader(ByteArrayOutputStream out, String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int width = 72;
        int i = 0;
        while (i < b.length) {
            int end = Math.min(b.length, i + width);
            // never split a UTF-8 sequence
            while (end < b.length && (b[end] & 0xC0) == 0x80) {
                end--;
            }
            if (i > 0) {
                out.write(' ');
            }
            out.write(b, i, end - i);
            out.write('\r');
            out.write('\n');
            i = end;
            width = 71;
        }
    }

    /** {@code name;returns=T;params="T,T"}, comma-separated. */
    private static String signatures(List<JamManifest.Function> functions) {
        return functions.stream()
                .map(f -> f.name() + ";returns=" + f.returns() + ";params=\"" + String.join(",", f.params()) + "\"")
                .collect(Collectors.joining(","));
    }
}
