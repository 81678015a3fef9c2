package sdm.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.Platform;
import sdm.api.node.Sha256;
import sdm.archive.ArchiveLimits;
import sdm.archive.BundleConverter;
import sdm.archive.JamArchive;
import sdm.archive.JamPacker;

import sdm.testkit.AdminSession;
import sdm.testkit.Gcc;
import sdm.testkit.ProcFs;

/**
 * {@code bin/bench deploy}: install and start of a big program (a native library holding
 * {@code --mib} MiB of random bytes, so that nothing compresses) on the slaves of a {@code bin/sdm
 * local} machine, from the command sent to every slave active; beside it, in the same run, the
 * same bytes (the program's bundle, converted here as the master does and checked against the
 * master's) pushed with raw JeroMQ to as many receiver processes started with the slaves' own JVM
 * flags ({@link RawPush}); the two sides take turns going first. Each run installs a program of
 * a new name, so no slave has any of its bytes, and uninstalls it after. The slaves' and the
 * receivers' RSS is sampled during each ({@link RssSampler}); where SDM's time went is read from
 * the nodes' logs and files afterwards ({@link DeployTimeline}).
 */
final class DeployBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARM_UP_MIB = 1;
    private static final String TIME = "time to all active / received (s)";
    private static final String FETCHING = "slaves: desired state in, fetching";
    private static final String LAST_CHUNK = "slaves: last chunk written";
    private static final String RAW_FETCHING = "receivers: fetching";
    private static final String RAW_LAST_CHUNK = "receivers: last chunk written";

    /** What one run measured on one side: its time, every node's memory, and its milestones. */
    private record Side(long bytes, double seconds, List<RssSampler.Peak> peaks, boolean hwmReset, int rssSamples,
            Map<String, double[]> milestones, double transferMibPerSecond) {
        RssSampler.Peak highest() {
            return peaks.stream().max(java.util.Comparator.comparingDouble(RssSampler.Peak::hwmMb)).orElseThrow();
        }
    }

    private final Bench bench;
    private final int mib;
    private final int slaves;
    private final List<Side> sdm = new ArrayList<>();
    private final List<Side> raw = new ArrayList<>();
    private long bundleBytes;
    private double idleSlaveMb;
    private double idleReceiverMb;
    private List<String> flags = List.of();

    DeployBench(Bench bench, int mib, int slaves) {
        this.bench = bench;
        this.mib = mib;
        this.slaves = slaves;
    }

    /** What a round works on: the machine, its slaves (names and pids, in the same order), the baseline. */
    private record Nodes(AdminSession admin, Path data, List<String> names, List<Long> pids, RawPush push) {
    }

    void run(int runs) throws Exception {
        System.out.println("sdm bench deploy: " + runs + " runs of install --start of a " + mib + " MiB program on "
                + slaves + " slaves of bin/sdm local; baseline: raw JeroMQ push of the same bytes, CURVE, 256 KiB "
                + "chunks with 8 in flight, to " + slaves + " receiver JVMs with the slaves' flags");
        Path dir = Files.createDirectories(bench.work.resolve("deploy"));
        AdminSession admin = bench.startLocal(dir, slaves, List.of()).admin();
        Path data = dir.resolve("sdm-data");
        List<String> names = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        for (JsonNode n : admin.json("sdm:nodes")) {
            names.add(n.get("name").asText());
            pids.add(Long.parseLong(Files.readString(data.resolve(n.get("name").asText() + "/sdm.pid")).strip()));
        }
        flags = Bench.jvmFlags(pids.get(0));
        try (RawPush push = RawPush.start(bench, Files.createDirectories(dir.resolve("raw")), flags, slaves)) {
            Nodes nodes = new Nodes(admin, data, names, pids, push);
            Thread.sleep(5_000); // every JVM idle before the first run
            idleSlaveMb = maxRss(pids);
            idleReceiverMb = maxRss(push.pids());
            // neither side's first run pays for compiling the crypto and the write path
            Side[] warm = round(nodes, "warm-up", WARM_UP_MIB, true);
            print("warm-up, " + WARM_UP_MIB + " MiB", warm[0], warm[1]);
            for (int run = 1; run <= runs; run++) {
                Side[] sides = round(nodes, "deploy-" + run, mib, run % 2 == 1);
                sdm.add(sides[0]);
                raw.add(sides[1]);
                print("run " + run + (run % 2 == 1 ? ", sdm first" : ", raw first"), sides[0], sides[1]);
            }
        }
        report();
    }

    /**
     * One program installed with SDM and its bundle pushed raw, in the order given (runs
     * alternate, so neither side always follows the other's disk writes); uninstalled after. The
     * raw side's bytes are the bundle made here from the same archive, which the master's must
     * equal (the conversion is byte-identical). Returns {sdm, raw}.
     */
    private Side[] round(Nodes nodes, String name, int programMib, boolean sdmFirst) throws Exception {
        Path archive = program(name, programMib);
        Path bytes = bench.work.resolve(name + ".jar");
        String sha256 = bundle(archive, bytes);
        Side s = null;
        Side r = null;
        for (int turn = 0; turn < 2; turn++) {
            settle();
            if ((turn == 0) == sdmFirst) {
                s = deploy(nodes, name, archive);
            } else {
                r = push(nodes.push(), bytes, sha256);
            }
        }
        String installed = nodes.admin().json("sdm:app", name).get("sha256").asText();
        if (!installed.equals(sha256)) {
            throw new IOException("the master's bundle of " + name + " is " + installed + ", the harness's " + sha256
                    + ": the raw side did not push the same bytes");
        }
        nodes.admin().text("sdm:uninstall", name);
        bundleBytes = Files.size(bytes);
        Files.delete(bytes);
        Files.delete(archive);
        return new Side[] {s, r};
    }

    /** Converts the archive as the master does; returns the bundle's SHA-256. */
    private static String bundle(Path archive, Path target) throws Exception {
        MessageDigest sha = Sha256.digest();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha)) {
            BundleConverter.convert(JamArchive.read(archive, ArchiveLimits.defaults(), target.getParent()), archive, out);
        }
        return Sha256.hex(sha);
    }

    private static double maxRss(List<Long> pids) throws IOException {
        double max = 0;
        for (long pid : pids) {
            max = Math.max(max, ProcFs.rssMb(pid));
        }
        return max;
    }

    private static void print(String what, Side s, Side r) {
        System.out.printf(Locale.ROOT, "%s: sdm %.2f s, raw %.2f s (%.2f); peak RSS sdm %.1f MB, raw %.1f MB"
                + "; transfer alone sdm %.1f MiB/s, raw %.1f MiB/s%n", what, s.seconds(), r.seconds(),
                s.seconds() / r.seconds(), s.highest().hwmMb(), r.highest().hwmMb(), s.transferMibPerSecond(),
                r.transferMibPerSecond());
    }

    /** Dirty pages of the previous step written out, and a moment for the JVMs to go quiet. */
    private static void settle() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        Thread.sleep(2_000);
    }

    private Side deploy(Nodes nodes, String name, Path archive) throws Exception {
        AdminSession admin = nodes.admin();
        RssSampler sampler = RssSampler.start(nodes.pids());
        long startMs = System.currentTimeMillis();
        long start = System.nanoTime();
        String reply;
        try {
            reply = admin.text("sdm:install", "--start", "--json", "--timeout", "600", archive.toString());
        } finally {
            sampler.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long endMs = System.currentTimeMillis();
        List<RssSampler.Peak> peaks = sampler.stop();
        checkActive("sdm:install", JSON.readTree(reply));
        JsonNode app = admin.json("sdm:app", name);
        checkActive("sdm:app", app);
        Map<String, double[]> milestones = DeployTimeline.sdm(nodes.data(), nodes.names(), name, "1.0.0",
                app.get("sha256").asText(), startMs, endMs);
        long bytes = app.get("size").asLong();
        return new Side(bytes, seconds, peaks, sampler.hwmReset(), sampler.samples(), milestones,
                DeployTimeline.transferMibPerSecond(milestones, FETCHING, LAST_CHUNK, bytes, slaves));
    }

    private void checkActive(String command, JsonNode view) throws IOException {
        int active = 0;
        for (JsonNode n : view.get("nodes")) {
            active += n.get("state").asText().equals("active") ? 1 : 0;
        }
        if (active != slaves || view.get("atDesired").asInt() != slaves) {
            throw new IOException(command + ": " + active + " of " + slaves + " slaves active: " + view);
        }
    }

    private Side push(RawPush push, Path bytes, String sha256) throws IOException {
        RssSampler sampler = RssSampler.start(push.pids());
        RawPush.Result result;
        try {
            result = push.push(bytes, sha256);
        } finally {
            sampler.close();
        }
        Map<String, double[]> milestones = DeployTimeline.raw(result);
        long size = Files.size(bytes);
        return new Side(size, result.seconds(), sampler.stop(), sampler.hwmReset(), sampler.samples(), milestones,
                DeployTimeline.transferMibPerSecond(milestones, RAW_FETCHING, RAW_LAST_CHUNK, size, slaves));
    }

    /**
     * The program of one run: {@code add(int,int)} in a library that also holds {@code --mib} MiB
     * of random bytes (assembled in with {@code .incbin}, so gcc takes no longer than for a small
     * one). A library is what an archive certainly may carry; the bytes travel, are written, verified,
     * installed, extracted and loaded as a big program's would be.
     */
    private Path program(String name, int programMib) throws Exception {
        Path dir = bench.work.resolve(name);
        Path lib = dir.resolve("native/linux-" + Platform.arch() + "/lib" + name.replace('-', '_') + ".so");
        Path payload = bench.work.resolve(name + ".payload");
        try (OutputStream out = Files.newOutputStream(payload)) {
            SplittableRandom random = new SplittableRandom();
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < programMib; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        Gcc.sharedLibrary(lib, """
                int add(int a, int b) { return a + b; }
                __asm__(".section .rodata.payload,\\"a\\",@progbits\\n.globl payload\\npayload:\\n"
                        ".incbin \\"%s\\"\\n.previous\\n");
                """.formatted(payload));
        Files.delete(payload);
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {"name":"%s","version":"1.0.0",
                 "native":{"libraries":[{"os":"%s","arch":"%s","path":"%s"}],
                           "functions":[{"name":"add","returns":"int","params":["int","int"]}]}}
                """.formatted(name, Platform.os(), Platform.arch(), dir.relativize(lib)));
        Path archive = JamPacker.pack(dir, bench.work.resolve(name + ".jam.zip"));
        Files.delete(lib);
        return archive;
    }

    private void report() throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "deploy");
        out.put("runs", sdm.size());
        out.put("slaves", slaves);
        out.put("bundleBytes", bundleBytes);
        out.put("slaveFlags", flags);
        double mb = bundleBytes / (double) (1 << 20);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %10s %10s %8s%n", "median of " + sdm.size() + " runs, " + slaves + " x "
                + String.format(Locale.ROOT, "%.1f", mb) + " MiB", "sdm", "raw zmq", "ratio");
        row(out, TIME, Side::seconds, false);
        row(out, "MiB/s aggregate", s -> slaves * (s.bytes() / (double) (1 << 20)) / s.seconds(), true);
        row(out, "peak slave RSS, VmHWM (MB)", s -> s.highest().hwmMb(), false);
        row(out, "peak slave RSS, sampled 10 ms (MB)",
                s -> s.peaks().stream().mapToDouble(RssSampler.Peak::sampledMb).max().orElseThrow(), false);
        row(out, "its RSS just before the run (MB)", s -> s.highest().idleMb(), false);
        System.out.printf(Locale.ROOT, "%-40s %10.2f %10.2f %8.2f%n", "idle RSS before any deploy, max (MB)",
                idleSlaveMb, idleReceiverMb, idleSlaveMb / idleReceiverMb);
        out.put("idle RSS before any deploy, max (MB)", Map.of("sdm", round(idleSlaveMb), "raw",
                round(idleReceiverMb), "ratio", round(idleSlaveMb / idleReceiverMb)));
        row(out, "transfer alone, MiB/s aggregate", Side::transferMibPerSecond, true);
        System.out.println("ratio: sdm / raw for times and memory, raw / sdm for MiB/s (1.0 is raw JeroMQ)");
        if (!sdm.stream().allMatch(Side::hwmReset) || !raw.stream().allMatch(Side::hwmReset)) {
            System.out.println("note: VmHWM could not be reset; it is the peak since each process started");
        }
        System.out.println();
        System.out.println("where the time goes, median of runs, s after the command (first - last node):");
        Map<String, Object> sdmTimeline = new LinkedHashMap<>();
        milestones(sdmTimeline, sdm);
        System.out.println("raw JeroMQ, s after the push began:");
        Map<String, Object> rawTimeline = new LinkedHashMap<>();
        milestones(rawTimeline, raw);
        out.put("timeline", Map.of("sdm", sdmTimeline, "raw", rawTimeline));
        out.put("sdmRuns", sdm.stream().map(DeployBench::runJson).toList());
        out.put("rawRuns", raw.stream().map(DeployBench::runJson).toList());
        bench.record("deploy", out);
    }

    private interface Figure {
        double of(Side side);
    }

    private void row(Map<String, Object> out, String label, Figure figure, boolean higherIsBetter) {
        double s = Bench.medianOf(sdm.stream().map(figure::of).toList());
        double r = Bench.medianOf(raw.stream().map(figure::of).toList());
        double ratio = higherIsBetter ? r / s : s / r;
        System.out.printf(Locale.ROOT, "%-40s %10.2f %10.2f %8.2f%n", label, s, r, ratio);
        out.put(label, Map.of("sdm", round(s), "raw", round(r), "ratio", round(ratio)));
    }

    private static void milestones(Map<String, Object> out, List<Side> sides) {
        for (String label : sides.get(0).milestones().keySet()) {
            double first = Bench.medianOf(sides.stream().map(s -> s.milestones().get(label)[0]).toList());
            double last = Bench.medianOf(sides.stream().map(s -> s.milestones().get(label)[1]).toList());
            System.out.printf(Locale.ROOT, "  %-64s %s%n", label, first == last ? String.format(Locale.ROOT,
                    "%6.2f", first) : String.format(Locale.ROOT, "%6.2f - %.2f", first, last));
            out.put(label, List.of(round(first), round(last)));
        }
    }

    private static Map<String, Object> runJson(Side s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", round(s.seconds()));
        out.put("transferMibPerSecond", round(s.transferMibPerSecond()));
        out.put("rssSampleRounds", s.rssSamples());
        out.put("rssMb", s.peaks().stream().map(p -> Map.of("idle", round(p.idleMb()), "sampled",
                round(p.sampledMb()), "hwm", round(p.hwmMb()))).toList());
        Map<String, Object> milestones = new LinkedHashMap<>();
        s.milestones().forEach((k, v) -> milestones.put(k, List.of(round(v[0]), round(v[1]))));
        out.put("milestones", milestones);
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
