package sdm.bench;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.bench.probe.Stats;

/**
 * This process's end of the MQTT baseline: requests published to {@link MqttResponder} through
 * the broker and its replies awaited, at one QoS, timed as {@link sdm.bench.probe.CallProbe} times SDM's calls.
 * Every request carries its own number in its first 4 bytes, so a late reply is never taken for
 * another one. A round trip ends when Paho hands the reply to {@code messageArrived}; the reply
 * then goes to the timing thread through a queue. A request without a reply after
 * {@link #LOSS_NANOS} is counted lost (QoS 0 may drop messages); 10 s without any reply fails
 * the run.
 */
final class MqttRoundTrips implements MqttCallback {

    static final long LOSS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SILENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A reply's number and when Paho handed it over. */
    private record Reply(int number, long arrivedNanos) {
    }

    /** Round trips one after the other that got their reply: to Paho's callback, to the timing thread. */
    private record Sequential(long[] toCallback, long[] toThread, int lost) {
    }

    /** Round trips with a window in flight that got their reply, and the rate of replies. */
    private record Window(Stats stats, int lost) {
    }

    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final int qos;
    private final byte[] payload;
    private MqttAsyncClient client;
    private int next; // the number of the next request, over all phases
    private long lastReplyNanos;

    private MqttRoundTrips(int qos, byte[] payload) {
        this.qos = qos;
        this.payload = payload;
    }

    /**
     * Connects to the broker on 127.0.0.1:{@code port} (a responder must be subscribed), warms up,
     * then times {@code count} round trips one after the other and {@code burst} with
     * {@code inflight} in flight. Returns {@code {"sequential": Stats, "sequentialToThread":
     * Stats, "inflight": Stats, "lostSequential": n, "lostInflight": n}}, where
     * {@code sequentialToThread} ends the round trip when the timing thread has the reply.
     */
    static JsonNode measure(int port, int qos, byte[] payload, int count, int inflight, int burst) throws Exception {
        MqttRoundTrips trips = new MqttRoundTrips(qos, payload);
        trips.client = MqttConnection.open(port, "client", trips);
        try {
            trips.client.subscribe(MqttConnection.REPLIES, qos).waitForCompletion(10_000);
            trips.lastReplyNanos = System.nanoTime();
            trips.sequential(Math.max(2_000, count / 10));
            return trips.timed(count, inflight, burst);
        } finally {
            try {
                trips.client.disconnect(1_000).waitForCompletion(5_000);
            } catch (MqttException e) {
                System.err.println("bench: disconnecting from the MQTT broker: " + e);
            }
            trips.client.close();
        }
    }

    private JsonNode timed(int count, int inflight, int burst) throws Exception {
        Sequential one = sequential(count);
        double seconds = Arrays.stream(one.toThread()).sum() / 1e9;
        Stats toCallback = Stats.of(one.toCallback(), one.toCallback().length / seconds);
        Stats toThread = Stats.of(one.toThread(), one.toThread().length / seconds);
        Window window = window(inflight, burst);
        return Bench.JSON.readTree("{\"sequential\":" + toCallback.json() + ",\"sequentialToThread\":"
                + toThread.json() + ",\"inflight\":" + window.stats().json() + ",\"lostSequential\":" + one.lost()
                + ",\"lostInflight\":" + window.lost() + "}");
    }

    /** {@code count} round trips one after the other. */
    private Sequential sequential(int count) throws Exception {
        long[] toCallback = new long[count];
        long[] toThread = new long[count];
        int received = 0;
        for (int i = 0; i < count; i++) {
            int number = next++;
            long sent = System.nanoTime();
            publish(number);
            Reply reply = await(number, sent + LOSS_NANOS);
            if (reply != null) {
                toThread[received] = System.nanoTime() - sent;
                toCallback[received] = reply.arrivedNanos() - sent;
                received++;
            }
        }
        return new Sequential(Arrays.copyOf(toCallback, received), Arrays.copyOf(toThread, received), count - received);
    }

    /** The reply to request {@code number}, or null when none came by {@code deadline}. */
    private Reply await(int number, long deadline) throws Exception {
        while (true) {
            Reply reply = poll(deadline);
            if (reply == null || reply.number() == number) {
                return reply;
            }
        }
    }

    /** {@code burst} requests with {@code inflight} of them in flight: each reply (or loss) sends the next. */
    private Window window(int inflight, int burst) throws Exception {
        int first = next;
        next += burst;
        long[] sentAt = new long[burst];
        long[] times = new long[burst];
        boolean[] settled = new boolean[burst];
        int received = 0;
        int lost = 0;
        int sent = 0;
        int oldest = 0;
        long started = System.nanoTime();
        for (; sent < Math.min(inflight, burst); sent++) {
            sentAt[sent] = System.nanoTime();
            publish(first + sent);
        }
        while (received + lost < burst) {
            while (settled[oldest]) {
                oldest++;
            }
            Reply reply = poll(sentAt[oldest] + LOSS_NANOS);
            int i;
            if (reply == null) {
                i = oldest;
                lost++;
            } else {
                i = reply.number() - first;
                if (i < 0 || i >= burst || settled[i]) {
                    continue; // a late reply from before, or one already counted lost
                }
                times[received++] = reply.arrivedNanos() - sentAt[i];
            }
            settled[i] = true;
            if (sent < burst) {
                sentAt[sent] = System.nanoTime();
                publish(first + sent);
                sent++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Window(Stats.of(Arrays.copyOf(times, received), received / seconds), lost);
    }

    /** The next reply, or null at {@code deadline}; fails when no reply came for 10 s. */
    private Reply poll(long deadline) throws Exception {
        Reply reply = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (reply != null) {
            lastReplyNanos = reply.arrivedNanos();
        } else if (System.nanoTime() - lastReplyNanos > SILENCE_NANOS) {
            throw new IOException("no reply from the MQTT responder at QoS " + qos + " for 10 s (see its .err file"
                    + " and mosquitto.out in the working folder, kept with -Dsdm.bench.keep=true)");
        }
        return reply;
    }

    private void publish(int number) throws MqttException {
        client.publish(MqttConnection.REQUESTS, CallsBench.indexed(payload, number), qos, false);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        replies.add(new Reply(CallsBench.index(message.getPayload()), System.nanoTime()));
    }

    @Override
    public void connectionLost(Throwable cause) {
        System.err.println("bench: lost the MQTT broker: " + cause);
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // the reply is what counts
    }
}
