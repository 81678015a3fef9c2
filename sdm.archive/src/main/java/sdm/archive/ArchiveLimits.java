package sdm.archive;

/**
 * The bounds an archive must stay within (docs/contract.md §2); configurable on the master.
 *
 * @param maxArchiveBytes  size of the .jam.zip file
 * @param maxUnpackedBytes all entries unpacked together
 * @param maxEntries       number of entries
 * @param maxRatio         unpacked:packed ratio allowed for an entry over {@code ratioFloorBytes}
 * @param ratioFloorBytes  entries up to this size unpacked are not held to the ratio
 */
public record ArchiveLimits(long maxArchiveBytes, long maxUnpackedBytes, int maxEntries, int maxRatio,
        long ratioFloorBytes) {

    /** 256 MiB archive, 1 GiB unpacked, 10,000 entries, 100:1 above 1 MiB. */
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(256L << 20, 1L << 30, 10_000, 100, 1L << 20);
    }
}
