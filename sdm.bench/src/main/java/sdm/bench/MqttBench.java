package sdm.bench;

import java.time.Duration;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.Waits;

/**
 * {@code bin/bench mqtt}: SDM's calls against MQTT, the transport JAMScript uses, in the same
 * run with the same payload. SDM as in {@code bin/bench calls} (CURVE-encrypted); MQTT as the
 * same request and response between this process and {@link MqttResponder} through a local
 * Mosquitto with Eclipse Paho, unencrypted, at QoS 0 and at QoS 1. The goals: SDM faster than
 * MQTT QoS 0 at p50 and p90, and at least twice MQTT QoS 1's calls per second.
 */
final class MqttBench {

    private final Bench bench;

    MqttBench(Bench bench) {
        this.bench = bench;
    }

    void run(int runs) throws Exception {
        System.out.println("sdm bench mqtt: " + runs + " runs of " + bench.count + " sequential calls and "
                + bench.burst + " with " + bench.inflight + " in flight; sdm: add(int,int) on one of 3 slaves "
                + "(CURVE); mqtt: the same payload to a Paho responder through a local Mosquitto (plain TCP), "
                + "QoS 0 and QoS 1");
        Mosquitto broker = Mosquitto.start(bench);
        CallMachine machine = CallMachine.start(bench);
        byte[] payload = CallMachine.payload();
        List<JsonNode> sdm = new ArrayList<>();
        List<JsonNode> qos0 = new ArrayList<>();
        List<JsonNode> qos1 = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            JsonNode s = machine.measure(bench.count, bench.inflight, bench.burst);
            JsonNode q0 = mqtt(broker, 0, payload);
            JsonNode q1 = mqtt(broker, 1, payload);
            sdm.add(s);
            qos0.add(q0);
            qos1.add(q1);
            System.out.printf(Locale.ROOT, "run %d: p50 sdm %.1f us, qos0 %.1f us, qos1 %.1f us; "
                    + "calls/s sdm %.0f, qos0 %.0f, qos1 %.0f; lost at qos0 %d, at qos1 %d%n", run,
                    s.at("/sequential/p50Micros").asDouble(), q0.at("/sequential/p50Micros").asDouble(),
                    q1.at("/sequential/p50Micros").asDouble(), s.at("/inflight/perSecond").asDouble(),
                    q0.at("/inflight/perSecond").asDouble(), q1.at("/inflight/perSecond").asDouble(),
                    lost(q0), lost(q1));
        }
        report(broker, payload.length, sdm, qos0, qos1);
    }

    /** One measurement at {@code qos}, against a fresh responder process. */
    private JsonNode mqtt(Mosquitto broker, int qos, byte[] payload) throws Exception {
        String name = "mqtt-responder-qos" + qos;
        Process responder = bench.start(bench.work, List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), MqttResponder.class.getName(), "" + broker.port(),
                "" + qos), name);
        try {
            Waits.untilTrue("the MQTT responder", Duration.ofSeconds(60), () -> {
                if (!responder.isAlive()) {
                    throw new IllegalStateException("the MQTT responder exited: "
                            + Files.readString(bench.work.resolve(name + ".err")).strip());
                }
                return Files.readString(bench.work.resolve(name + ".out")).contains("ready");
            });
            return MqttRoundTrips.measure(broker.port(), qos, payload, bench.count, bench.inflight, bench.burst);
        } finally {
            responder.destroy();
            responder.waitFor();
        }
    }

    private static long lost(JsonNode mqtt) {
        return mqtt.get("lostSequential").asLong() + mqtt.get("lostInflight").asLong();
    }

    private void report(Mosquitto broker, int payloadBytes, List<JsonNode> sdm, List<JsonNode> qos0,
            List<JsonNode> qos1) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "mqtt");
        out.put("payloadBytes", payloadBytes);
        out.put("runs", sdm.size());
        out.put("count", bench.count);
        out.put("inflight", bench.inflight);
        out.put("burst", bench.burst);
        out.put("broker", broker.version());
        out.put("client", "Eclipse Paho MQTT v3 1.2.5, MqttAsyncClient");
        out.put("fairness", List.of("TCP_NODELAY on both clients and the broker", "Paho max in-flight 65535",
                "mosquitto max_inflight_messages 0 (none), max_queued_messages 1000000", "clean session, memory "
                + "persistence", "MQTT round trip ends at Paho's messageArrived, SDM's when the caller wakes"));
        System.out.println();
        System.out.printf(Locale.ROOT, "%-30s %10s %10s %10s %9s %9s%n", "median of " + sdm.size() + " runs", "sdm",
                "mqtt qos0", "mqtt qos1", "sdm/qos0", "sdm/qos1");
        double[] p50 = row(out, "p50 round trip (us)", "/sequential/p50Micros", sdm, qos0, qos1);
        double[] p90 = row(out, "p90 round trip (us)", "/sequential/p90Micros", sdm, qos0, qos1);
        row(out, "p99 round trip (us)", "/sequential/p99Micros", sdm, qos0, qos1);
        double[] rate = row(out, "calls/s, " + bench.inflight + " in flight", "/inflight/perSecond", sdm, qos0, qos1);
        row(out, "p50 with " + bench.inflight + " in flight (us)", "/inflight/p50Micros", sdm, qos0, qos1);
        long lost0 = qos0.stream().mapToLong(MqttBench::lost).sum();
        long lost1 = qos1.stream().mapToLong(MqttBench::lost).sum();
        System.out.printf(Locale.ROOT, "%-30s %10s %10d %10d%n", "messages lost, all runs", "-", lost0, lost1);
        System.out.println("ratios are sdm / mqtt: for times below 1.00 means sdm is faster, for calls/s above "
                + "1.00 means sdm is faster");
        boolean p50Met = p50[0] < p50[1];
        boolean p90Met = p90[0] < p90[1];
        boolean rateMet = rate[0] >= 2 * rate[2];
        System.out.printf(Locale.ROOT, "goal: sdm p50 below mqtt qos0 (%.2f): %s; p90 below mqtt qos0 (%.2f): %s; "
                + "calls/s at least 2x mqtt qos1 (%.2f): %s%n", p50[0] / p50[1], verdict(p50Met), p90[0] / p90[1],
                verdict(p90Met), rate[0] / rate[2], verdict(rateMet));
        Map<String, Boolean> goals = new LinkedHashMap<>();
        goals.put("sdm p50 below mqtt qos0", p50Met);
        goals.put("sdm p90 below mqtt qos0", p90Met);
        goals.put("sdm calls/s at least 2x mqtt qos1", rateMet);
        out.put("goals", goals);
        out.put("lostQos0", lost0);
        out.put("lostQos1", lost1);
        out.put("sdmRuns", sdm);
        out.put("qos0Runs", qos0);
        out.put("qos1Runs", qos1);
        bench.record("mqtt", out);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "not met";
    }

    /** Prints a row of medians and ratios; returns the medians: sdm, qos0, qos1. */
    private static double[] row(Map<String, Object> out, String label, String pointer, List<JsonNode> sdm,
            List<JsonNode> qos0, List<JsonNode> qos1) {
        double s = median(sdm, pointer);
        double q0 = median(qos0, pointer);
        double q1 = median(qos1, pointer);
        System.out.printf(Locale.ROOT, "%-30s %10.1f %10.1f %10.1f %9.2f %9.2f%n", label, s, q0, q1, s / q0, s / q1);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sdm", s);
        figures.put("qos0", q0);
        figures.put("qos1", q1);
        figures.put("sdmOverQos0", Math.round(s / q0 * 100) / 100.0);
        figures.put("sdmOverQos1", Math.round(s / q1 * 100) / 100.0);
        out.put(label, figures);
        return new double[] {s, q0, q1};
    }

    private static double median(List<JsonNode> runs, String pointer) {
        return Bench.medianOf(runs.stream().map(n -> n.at(pointer).asDouble()).toList());
    }
}
