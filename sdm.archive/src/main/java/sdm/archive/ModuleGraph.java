package sdm.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The import graph of an ES module {@code main}, walked through the archive: every import that
 * {@link ModuleImports#scan} finds, static or a dynamic one with a literal, must pass
 * {@link ModuleImports#resolve} and name a file of the archive. Cycles are allowed; files that
 * nothing imports are not read. Each file is read once, at most {@link #MAX_MODULE_BYTES}, and
 * all of them together at most the archive's unpacked limit.
 */
final class ModuleGraph {

    /** Bigger modules are refused rather than held in memory to be scanned. */
    static final int MAX_MODULE_BYTES = 16 << 20;

    /** Reads a file of the archive: at most {@code max} bytes, or a few more to show it is bigger. */
    @FunctionalInterface
    interface EntryReader {
        byte[] read(String path, int max) throws IOException, ArchiveException;
    }

    private ModuleGraph() {
    }

    /**
     * Walks the imports from {@code main}.
     *
     * @param entries the file entries of the archive
     * @return the modules reached, {@code main} included
     * @throws ArchiveException one line naming the importing file and the import refused or
     *                          missing, or the limit passed
     */
    static Set<String> check(String main, Set<String> entries, EntryReader files, ArchiveLimits limits)
            throws IOException, ArchiveException {
        Set<String> reached = new HashSet<>(Set.of(main));
        Deque<String> pending = new ArrayDeque<>(reached);
        long bytes = 0;
        while (!pending.isEmpty()) {
            String module = pending.pop();
            byte[] source = files.read(module, MAX_MODULE_BYTES);
            if (source.length > MAX_MODULE_BYTES) {
                throw new ArchiveException(module + " is over " + MAX_MODULE_BYTES + " bytes, too big to check its imports");
            }
            bytes += source.length;
            if (bytes > limits.maxUnpackedBytes()) {
                throw new ArchiveException("the modules imported from " + main + " are over "
                        + limits.maxUnpackedBytes() + " bytes");
            }
            for (ModuleImports.Import i : ModuleImports.scan(new String(source, StandardCharsets.UTF_8))) {
                String target = ModuleImports.resolve(module, i.specifier());
                if (!entries.contains(target)) {
                    throw new ArchiveException(module + " imports " + ModuleImports.quote(i.specifier())
                            + ", which is not in the archive");
                }
                if (reached.add(target)) {
                    if (reached.size() > limits.maxEntries()) {
                        throw new ArchiveException(main + " imports over " + limits.maxEntries() + " modules");
                    }
                    pending.push(target);
                }
            }
        }
        return reached;
    }
}
