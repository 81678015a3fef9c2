package sdm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import sdm.api.ProgramBundles;

/**
 * Where a deploy's time went, read from outside the nodes after the fact: the lines the master
 * and the slaves log (milliseconds, one clock for every process of this machine) and the times
 * their files were last written. Each milestone is the first and the last node to pass it, in
 * seconds after the install command was sent.
 * <ul>
 * <li>the master's bundle file: written when the archive was checked and converted (fsync,
 * rename keep its time);
 * <li>the master's Felix cache, {@code DATA/cache/bundleN/version0.0/bundle.jar} of the bundle
 * at {@code jam:NAME}: Felix's copy of the bundle written (a slave's Felix reads the fetched
 * file in place);
 * <li>the master's {@code installed program NAME VERSION}: installed and started in its own
 * Felix, state recorded; the desired state goes to the slaves right after;
 * <li>a slave's {@code fetching NAME VERSION}: its desired state arrived, first chunks asked;
 * <li>a slave's {@code DATA/programs/SHA.jar}: the last chunk written (the slave fsyncs and
 * renames the file, which keeps that time);
 * <li>a slave's {@code installed NAME VERSION}: fsynced, renamed, installed in its Felix;
 * <li>a slave's {@code DATA/programs/native/NAME-UUID/*.so}: the library extracted from the bundle;
 * <li>a slave's {@code started NAME VERSION}: library loaded, functions bound.
 * </ul>
 */
final class DeployTimeline {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final int LOG_TIME_LENGTH = 23;

    private DeployTimeline() {
    }

    /** The milestones of one SDM deploy, in order; a value is {first, last} in seconds after {@code startMs}. */
    static Map<String, double[]> sdm(Path data, List<String> slaves, String name, String version, String sha256,
            long startMs, long endMs) throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        long stored = Files.getLastModifiedTime(data.resolve("master/programs/bundles/" + sha256 + ".jar")).toMillis();
        out.put("master: archive checked, bundle converted and stored", span(startMs, List.of(stored)));
        out.put("master: bundle copied into its Felix cache",
                span(startMs, List.of(felixCopy(data.resolve("master"), name))));
        out.put("master: installed in its Felix, desired state sent",
                span(startMs, List.of(logged(data.resolve("master"), "installed program " + name + " " + version))));
        List<Long> fetching = new ArrayList<>();
        List<Long> lastChunk = new ArrayList<>();
        List<Long> installed = new ArrayList<>();
        List<Long> extracted = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        for (String slave : slaves) {
            Path dir = data.resolve(slave);
            fetching.add(logged(dir, "fetching " + name + " " + version));
            lastChunk.add(Files.getLastModifiedTime(dir.resolve("programs/" + sha256 + ".jar")).toMillis());
            installed.add(logged(dir, "installed " + name + " " + version));
            extracted.add(extractedLibrary(dir, name));
            started.add(logged(dir, "started " + name + " " + version));
        }
        out.put("slaves: desired state in, fetching", span(startMs, fetching));
        out.put("slaves: last chunk written", span(startMs, lastChunk));
        out.put("slaves: fsync, rename, installed in Felix (no copy)", span(startMs, installed));
        out.put("slaves: library extracted", span(startMs, extracted));
        out.put("slaves: started (library loaded, functions bound)", span(startMs, started));
        out.put("command returned, every slave active", span(startMs, List.of(endMs)));
        return out;
    }

    /** The milestones of one raw push, with the same meaning where they have one. */
    static Map<String, double[]> raw(RawPush.Result r) {
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("receivers: fetching", span(r.startMs(), r.firstFetchMs()));
        out.put("receivers: last chunk written", span(r.startMs(), r.lastWriteMs()));
        out.put("every receiver acknowledged (fsync, SHA-256 read back, rename)", span(r.startMs(), List.of(r.endMs())));
        return out;
    }

    /**
     * Bytes per second of the transfer alone, over all nodes: from the first node that began
     * fetching to the last that wrote its last chunk.
     */
    static double transferMibPerSecond(Map<String, double[]> milestones, String fetching, String lastChunk,
            long bytes, int nodes) {
        double seconds = milestones.get(lastChunk)[1] - milestones.get(fetching)[0];
        return nodes * (bytes / (double) (1 << 20)) / seconds;
    }

    private static double[] span(long startMs, List<Long> times) {
        long first = times.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = times.stream().mapToLong(Long::longValue).max().orElseThrow();
        return new double[] {(first - startMs) / 1000.0, (last - startMs) / 1000.0};
    }

    /** When the master's Felix finished writing its copy of the bundle installed at {@code jam:NAME}. */
    private static long felixCopy(Path node, String name) throws IOException {
        try (Stream<Path> bundles = Files.list(node.resolve("cache"))) {
            for (Path b : bundles.filter(p -> p.getFileName().toString().startsWith("bundle")).toList()) {
                Path info = b.resolve("bundle.info");
                if (Files.isRegularFile(info) && Files.readAllLines(info).stream().anyMatch(ProgramBundles.location(name)::equals)) {
                    return Files.getLastModifiedTime(b.resolve("version0.0/bundle.jar")).toMillis();
                }
            }
        }
        throw new IOException("no bundle at jam:" + name + " in the Felix cache of " + node);
    }

    /** When a slave finished extracting the program's library ({@code DATA/programs/native/NAME-UUID/}). */
    private static long extractedLibrary(Path node, String name) throws IOException {
        try (Stream<Path> folders = Files.list(node.resolve("programs/native"))) {
            for (Path f : folders.filter(p -> p.getFileName().toString().startsWith(name + "-")).toList()) {
                try (Stream<Path> libs = Files.list(f)) {
                    for (Path lib : libs.filter(p -> p.toString().endsWith(".so")).toList()) {
                        return Files.getLastModifiedTime(lib).toMillis();
                    }
                }
            }
        }
        throw new IOException("no extracted library of " + name + " in " + node.resolve("programs/native"));
    }

    /** When a node last logged a line that holds {@code text} (its log files: {@code DATA/log/sdm.N.log}). */
    private static long logged(Path node, String text) throws IOException {
        long found = -1;
        List<Path> files;
        try (Stream<Path> list = Files.list(node.resolve("log"))) {
            files = list.filter(p -> p.getFileName().toString().matches("sdm\\.\\d+\\.log")).toList();
        }
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (line.length() > LOG_TIME_LENGTH && line.contains(" " + text)) {
                    long at = LocalDateTime.parse(line.substring(0, LOG_TIME_LENGTH), LOG_TIME)
                            .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                    found = Math.max(found, at);
                }
            }
        }
        if (found < 0) {
            throw new IOException("no line '" + text + "' in the log of " + node);
        }
        return found;
    }
}
