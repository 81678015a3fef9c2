package sdm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import sdm.transport.zmq.CurveKeyPair;
import sdm.transport.zmq.JoinToken;
import sdm.transport.zmq.MessageCodec;

/**
 * Many simulated slaves in one JVM, for {@code bin/bench fanin}: {@link SimulatedAgent}s that
 * share one ZeroMQ context (one I/O thread) and are served by one poller thread per
 * {@code --per-thread} agents, instead of a {@code SlaveLink} each (three threads and a context
 * per slave). They dial at an even pace over {@code --ramp-ms} (the harness gives every agents'
 * JVM the same ramp), so their beats are spread over the interval as those of slaves started at
 * different times. Prints one status line every 5 s and {@code all N online} once; runs until
 * its standard input closes. {@code --first} and {@code --of} only number the agents' names.
 * <pre>
 * SimulatedSlaves --master HOST:PORT (--token-file FILE | --server-key Z85) --agents N
 *                 [--first K] [--of TOTAL] [--ramp-ms MS] [--per-thread N] [--heartbeat MS] [--liveness MS]
 *                 [--slave-timing true]
 * </pre>
 * With {@code --token-file} the agents join an SDM master with that join token; with
 * {@code --server-key} they talk to a bare ROUTER ({@link RawRouter}) with a key of their own.
 * With {@code --slave-timing true} they give up on handshakes and first answers when a real
 * slave would (see {@link SimulatedAgent}), not later as the benchmark has them do.
 */
public final class SimulatedSlaves {

    private static final HexFormat HEX = HexFormat.of();
    /** Beats due within this much are sent in the same turn: one wake-up for several agents. */
    private static final long BATCH_MS = 10;

    private final List<SimulatedAgent> agents;
    private final long rampMs;
    private volatile long startMs;
    private final AtomicInteger online = new AtomicInteger();
    private final AtomicInteger reconnections = new AtomicInteger();
    private volatile boolean running = true;

    private SimulatedSlaves(List<SimulatedAgent> agents, long rampMs) {
        this.agents = agents;
        this.rampMs = rampMs;
        this.startMs = System.currentTimeMillis();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        String address = required(o, "--master");
        int count = Integer.parseInt(required(o, "--agents"));
        int first = Integer.parseInt(o.getOrDefault("--first", "1"));
        int of = Integer.parseInt(o.getOrDefault("--of", String.valueOf(first - 1 + count)));
        long rampMs = Long.parseLong(o.getOrDefault("--ramp-ms", "10000"));
        int perThread = Integer.parseInt(o.getOrDefault("--per-thread", "250"));
        long heartbeat = Long.parseLong(o.getOrDefault("--heartbeat", "1000"));
        long liveness = Long.parseLong(o.getOrDefault("--liveness", String.valueOf(3 * heartbeat)));
        boolean raw = o.containsKey("--server-key");
        byte[] server;
        CurveKeyPair join;
        if (raw) {
            server = ZMQ.Curve.z85Decode(o.get("--server-key"));
            join = CurveKeyPair.generate();
        } else {
            JoinToken token = JoinToken.parse(Files.readString(Path.of(required(o, "--token-file"))));
            server = ZMQ.Curve.z85Decode(token.masterPublicKey());
            join = token.slaveKeys();
        }
        List<SimulatedAgent> agents = new ArrayList<>();
        int width = String.valueOf(of).length();
        for (int k = first; k < first + count; k++) {
            byte[] id = new byte[8];
            ThreadLocalRandom.current().nextBytes(id);
            // each agent its own key, as each slave has
            CurveKeyPair own = CurveKeyPair.generate();
            SimulatedAgent.Keys keys = new SimulatedAgent.Keys(server, ZMQ.Curve.z85Decode(join.publicKey()),
                    ZMQ.Curve.z85Decode(join.secretKey()), ZMQ.Curve.z85Decode(own.publicKey()),
                    ZMQ.Curve.z85Decode(own.secretKey()));
            agents.add(new SimulatedAgent(String.format("sim-%0" + width + "d", k), HEX.formatHex(id), address, keys,
                    raw, heartbeat, liveness, o.containsKey("--slave-timing")));
        }
        new SimulatedSlaves(agents, rampMs).run(Math.max(1, perThread));
    }

    private static String required(Map<String, String> o, String flag) {
        String v = o.get(flag);
        if (v == null) {
            System.err.println("SimulatedSlaves: " + flag + " is required");
            System.exit(2);
        }
        return v;
    }

    private void run(int perThread) throws InterruptedException {
        try (ZContext context = new ZContext(1)) {
            context.setLinger(0);
            // one per agent, twice while closed sockets wait for the reaper; 1,024 by default
            context.getContext().setMaxSockets(2 * agents.size() + 64);
            warmUp();
            startMs = System.currentTimeMillis();
            // agent k dials at k/N of the ramp and belongs to thread k mod T: every thread (and
            // every agents' JVM, each with its own ramp) dials at an even pace over the whole ramp
            int count = (agents.size() + perThread - 1) / perThread;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < count; t++) {
                List<SimulatedAgent> mine = new ArrayList<>();
                List<Long> dialAt = new ArrayList<>();
                for (int k = t; k < agents.size(); k += count) {
                    mine.add(agents.get(k));
                    dialAt.add(startMs + rampMs * k / agents.size());
                }
                threads.add(Thread.ofPlatform().name("sim-agents-" + t)
                        .start(() -> serve(context, mine, dialAt.stream().mapToLong(Long::longValue).toArray())));
            }
            ParentWatch.onParentGone(() -> running = false);
            report();
            for (Thread t : threads) {
                t.join();
            }
        }
        System.exit(0);
    }

    /** Prints how many agents are online every 5 s, and once when all are. */
    private void report() throws InterruptedException {
        boolean all = false;
        long nextStatus = System.currentTimeMillis();
        while (running) {
            long now = System.currentTimeMillis();
            int n = online.get();
            if (!all && n == agents.size()) {
                all = true;
                System.out.println("all " + n + " online after " + (now - startMs) + " ms");
            }
            if (now >= nextStatus) {
                System.out.println("online " + n + " of " + agents.size() + ", reconnections " + reconnections.get());
                nextStatus = now + 5_000;
            }
            System.out.flush();
            Thread.sleep(100);
        }
    }

    /**
     * Runs the Curve25519 code for a second or two before the first dial: JeroMQ's CURVE is pure
     * Java (jnacl), and hundreds of handshakes in interpreted code made agents miss their
     * server's beats and redial. The server gets no such help: its first handshakes are cold.
     */
    private static void warmUp() {
        long until = System.currentTimeMillis() + 2_000;
        for (int i = 0; i < 500 && System.currentTimeMillis() < until; i++) {
            CurveKeyPair.generate();
        }
    }

    /** One thread's agents: dials each at its time of the ramp, then reads, beats and redials. */
    private void serve(ZContext context, List<SimulatedAgent> mine, long[] dialAt) {
        AgentLoop loop = new AgentLoop(context, mine, dialAt);
        try {
            while (running && loop.turn()) {
                // one wait for the sockets or the next thing due, then what it brought
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            loop.close();
        }
    }

    /** The agents of one thread and the poller over their sockets, rebuilt when a socket changes. */
    private final class AgentLoop {
        private final ZContext context;
        private final List<SimulatedAgent> mine;
        private final long[] dialAt;
        private final boolean[] dialed;
        private final boolean[] wasOnline;
        private final MessageCodec codec = new MessageCodec();
        private final List<SimulatedAgent> polled = new ArrayList<>();
        private ZMQ.Poller poller;
        private boolean changed = true;

        AgentLoop(ZContext context, List<SimulatedAgent> mine, long[] dialAt) {
            this.context = context;
            this.mine = mine;
            this.dialAt = dialAt;
            this.dialed = new boolean[mine.size()];
            this.wasOnline = new boolean[mine.size()];
        }

        /** Dials who is due, waits, reads, sends what is due; false if the context is gone. */
        boolean turn() throws InterruptedException {
            long now = System.currentTimeMillis();
            for (int i = 0; i < mine.size(); i++) {
                if (!dialed[i] && now >= dialAt[i]) {
                    dialed[i] = true;
                    mine.get(i).connect(context, now);
                    changed = true;
                }
            }
            if (changed) {
                repoll();
            }
            long wait = Math.min(200, Math.max(0, nextDue() - now));
            if (polled.isEmpty()) {
                Thread.sleep(Math.max(1, wait));
            } else if (poller.poll(wait) < 0) {
                return false;
            }
            now = System.currentTimeMillis();
            for (int i = 0; i < polled.size(); i++) {
                if (poller.pollin(i)) {
                    polled.get(i).receive(codec, now);
                }
            }
            for (int i = 0; i < mine.size(); i++) {
                SimulatedAgent a = mine.get(i);
                if (dialed[i]) {
                    int before = a.reconnections();
                    changed |= a.tick(context, codec, now, now + BATCH_MS);
                    reconnections.addAndGet(a.reconnections() - before);
                }
                if (a.online() != wasOnline[i]) {
                    wasOnline[i] = a.online();
                    online.addAndGet(a.online() ? 1 : -1);
                }
            }
            return true;
        }

        private void repoll() {
            if (poller != null) {
                poller.close();
            }
            poller = context.createPoller(mine.size());
            polled.clear();
            for (int i = 0; i < mine.size(); i++) {
                if (dialed[i] && mine.get(i).socket() != null) {
                    poller.register(mine.get(i).socket(), ZMQ.Poller.POLLIN);
                    polled.add(mine.get(i));
                }
            }
            changed = false;
        }

        private long nextDue() {
            long due = Long.MAX_VALUE;
            for (int i = 0; i < mine.size(); i++) {
                due = Math.min(due, dialed[i] ? mine.get(i).nextDueMs() : dialAt[i]);
            }
            return due;
        }

        void close() {
            if (poller != null) {
                poller.close();
            }
            mine.forEach(a -> a.close(context));
        }
    }
}
