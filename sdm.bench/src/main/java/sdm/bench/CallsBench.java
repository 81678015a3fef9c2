package sdm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.bench.probe.Stats;
import sdm.testkit.Ports;
import sdm.testkit.Waits;

/**
 * {@code bin/bench calls}: the round trip of a native call through the whole path (the master's
 * {@code ProgramCalls} API, the wire, a slave, FFM, and back) on a {@code bin/sdm local --slaves 3}
 * machine, beside a raw JeroMQ DEALER/ROUTER echo of the same payload between two processes
 * with the same CURVE security, measured in the same run.
 */
final class CallsBench {

    private final Bench bench;
    private final int count;
    private final int inflight;
    private final int burst;

    CallsBench(Bench bench) {
        this.bench = bench;
        this.count = bench.count;
        this.inflight = bench.inflight;
        this.burst = bench.burst;
    }

    void run(int runs) throws Exception {
        System.out.println("sdm bench calls: " + runs + " runs of " + count + " sequential calls and " + burst
                + " with " + inflight + " in flight, add(int,int) on one of 3 slaves; baseline: raw JeroMQ "
                + "DEALER/ROUTER echo with CURVE between two processes");
        CallMachine machine = CallMachine.start(bench);
        byte[] payload = CallMachine.payload();
        List<JsonNode> sdm = new ArrayList<>();
        List<JsonNode> raw = new ArrayList<>();
        List<JsonNode> rawLikeSlave = new ArrayList<>();
        List<String> slaveOptions = machine.slaveJvmOptions(bench.work);
        for (int run = 1; run <= runs; run++) {
            JsonNode s = machine.measure(count, inflight, burst);
            JsonNode r = rawEcho(payload);
            sdm.add(s);
            raw.add(r);
            rawLikeSlave.add(rawEcho(payload, count, inflight, burst, 0, slaveOptions));
            System.out.printf(Locale.ROOT, "run %d: sdm p50 %.1f us, raw p50 %.1f us; sdm %.0f calls/s, raw %.0f/s;"
                    + " slave's calls inline/pooled/takeovers so far %s%n",
                    run, s.at("/sequential/p50Micros").asDouble(), r.at("/sequential/p50Micros").asDouble(),
                    s.at("/inflight/perSecond").asDouble(), r.at("/inflight/perSecond").asDouble(),
                    machine.slaveCallCounters());
        }
        report(sdm, raw, payload.length);
        System.out.printf(Locale.ROOT, "raw echo with its server on the slave's JVM options (%s): p50 %.1f us, "
                + "p90 %.1f us, %.0f calls/s (median of %d)%n", String.join(" ", slaveOptions),
                median(rawLikeSlave, "/sequential/p50Micros"), median(rawLikeSlave, "/sequential/p90Micros"),
                median(rawLikeSlave, "/inflight/perSecond"), rawLikeSlave.size());
        Map<String, Object> likeSlave = new LinkedHashMap<>();
        likeSlave.put("options", slaveOptions);
        likeSlave.put("p50Micros", median(rawLikeSlave, "/sequential/p50Micros"));
        likeSlave.put("p90Micros", median(rawLikeSlave, "/sequential/p90Micros"));
        likeSlave.put("perSecond", median(rawLikeSlave, "/inflight/perSecond"));
        bench.record("calls-raw-on-slave-options", likeSlave);
    }

    private static double median(List<JsonNode> runs, String at) {
        return Bench.medianOf(runs.stream().map(n -> n.at(at).asDouble()).toList());
    }

    private void report(List<JsonNode> sdm, List<JsonNode> raw, int payloadBytes) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "calls");
        out.put("payloadBytes", payloadBytes);
        out.put("runs", sdm.size());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "median of " + sdm.size() + " runs", "sdm", "raw zmq", "ratio");
        row(out, "p50 round trip (us)", "/sequential/p50Micros", sdm, raw, false);
        row(out, "p90 round trip (us)", "/sequential/p90Micros", sdm, raw, false);
        row(out, "p99 round trip (us)", "/sequential/p99Micros", sdm, raw, false);
        row(out, "calls/s, " + inflight + " in flight", "/inflight/perSecond", sdm, raw, true);
        row(out, "p50 with " + inflight + " in flight (us)", "/inflight/p50Micros", sdm, raw, false);
        out.put("sdmRuns", sdm);
        out.put("rawRuns", raw);
        System.out.println("ratio: sdm / raw for times, raw / sdm for calls/s (lower is better, 1.0 is raw JeroMQ)");
        bench.record("calls", out);
    }

    private static void row(Map<String, Object> out, String label, String pointer, List<JsonNode> sdm,
            List<JsonNode> raw, boolean higherIsBetter) {
        double s = median(sdm, n -> n.at(pointer).asDouble());
        double r = median(raw, n -> n.at(pointer).asDouble());
        double ratio = higherIsBetter ? r / s : s / r;
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f %8.2f%n", label, s, r, ratio);
        out.put(label, Map.of("sdm", s, "raw", r, "ratio", Math.round(ratio * 100) / 100.0));
    }

    private static double median(List<JsonNode> runs, ToDoubleFunction<JsonNode> value) {
        double[] v = runs.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The baseline: an echo server process, and this process as its client. */
    private JsonNode rawEcho(byte[] payload) throws Exception {
        return rawEcho(payload, count, inflight, burst, 0);
    }

    /**
     * The raw echo: {@code count} sequential round trips, then {@code burst} with {@code inflight}
     * in flight; with {@code batch > 0} also {@code "batches"}, the distribution of the mean round
     * trip of each {@code batch} consecutive sequential ones.
     */
    JsonNode rawEcho(byte[] payload, int count, int inflight, int burst, int batch) throws Exception {
        return rawEcho(payload, count, inflight, burst, batch, List.of());
    }

    /** As {@link #rawEcho(byte[], int, int, int, int)}, with the echo server's JVM started with {@code serverOptions}. */
    JsonNode rawEcho(byte[] payload, int count, int inflight, int burst, int batch, List<String> serverOptions)
            throws Exception {
        int port = Ports.free();
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        Path secret = bench.work.resolve("echo.key");
        Files.writeString(secret, server.secretKey);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(serverOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServer.class.getName(), "" + port,
                secret.toString()));
        Process echo = bench.start(bench.work, command, "echo");
        try (ZContext context = new ZContext(1)) {
            Waits.untilTrue("the echo server", Duration.ofSeconds(60),
                    () -> Files.readString(bench.work.resolve("echo.out")).contains("ready"));
            ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setCurveServerKey(ZMQ.Curve.z85Decode(server.publicKey));
            dealer.setCurvePublicKey(ZMQ.Curve.z85Decode(client.publicKey));
            dealer.setCurveSecretKey(ZMQ.Curve.z85Decode(client.secretKey));
            dealer.setSndHWM(100_000);
            dealer.setRcvHWM(100_000);
            dealer.connect("tcp://127.0.0.1:" + port);
            for (int i = 0; i < Math.max(2_000, count / 10); i++) {
                dealer.send(payload, 0);
                dealer.recv(0);
            }
            long[] nanos = new long[count];
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                dealer.send(payload, 0);
                dealer.recv(0);
                nanos[i] = System.nanoTime() - t;
            }
            long total = 0;
            for (long n : nanos) {
                total += n;
            }
            Stats sequential = Stats.of(nanos, count / (total / 1e9));
            String batches = batch > 0 ? ",\"batches\":" + Stats.batches(nanos, batch).json() : "";

            // each message carries its index, so every round trip is timed with a window kept full
            long[] sentAt = new long[burst];
            long[] inFlightNanos = new long[burst];
            long started = System.nanoTime();
            int sent = 0;
            for (; sent < Math.min(inflight, burst); sent++) {
                sentAt[sent] = System.nanoTime();
                dealer.send(indexed(payload, sent), 0);
            }
            for (int received = 0; received < burst; received++) {
                byte[] reply = dealer.recv(0);
                int index = index(reply);
                inFlightNanos[index] = System.nanoTime() - sentAt[index];
                if (sent < burst) {
                    sentAt[sent] = System.nanoTime();
                    dealer.send(indexed(payload, sent), 0);
                    sent++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Stats concurrent = Stats.of(inFlightNanos, burst / seconds);
            return Bench.JSON.readTree("{\"sequential\":" + sequential.json() + ",\"inflight\":" + concurrent.json()
                    + batches + "}");
        } finally {
            echo.destroy();
        }
    }

    static byte[] indexed(byte[] payload, int index) {
        byte[] copy = payload.clone();
        copy[0] = (byte) (index >>> 24);
        copy[1] = (byte) (index >>> 16);
        copy[2] = (byte) (index >>> 8);
        copy[3] = (byte) index;
        return copy;
    }

    static int index(byte[] reply) {
        return (reply[0] & 0xff) << 24 | (reply[1] & 0xff) << 16 | (reply[2] & 0xff) << 8 | (reply[3] & 0xff);
    }
}
