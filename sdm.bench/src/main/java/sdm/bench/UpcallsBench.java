package sdm.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.LocalMachine;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * {@code bin/bench upcalls}: C calls JavaScript on a {@code bin/sdm local --slaves 3} machine.
 * A C thread of the program's library on one slave calls the JS export {@code echo} one call
 * after the other (timed in C, per call); the same program's JS calls the C function
 * {@code add} on that slave with {@code sdm.call}, one after the other (timed in JS, per batch:
 * its clock has milliseconds); and a raw JeroMQ echo with CURVE between two processes is timed
 * in the same run. Then each of the 3 slaves posts to the export {@code tick} at a steady rate,
 * and the JS counts what it runs: posts delivered a second, and the master's CPU for them.
 */
final class UpcallsBench {

    static final String SOURCE = """
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <time.h>
            #include <unistd.h>
            #include "sdm.h"

            static const sdm_js_api *js;
            static pthread_t worker;
            static int working;
            static volatile int done = 1;
            static char result[4096];
            static int count, rate, kind;

            void sdm_set_js(const sdm_js_api *api) {
                if (api == NULL && working) { pthread_join(worker, NULL); working = 0; }
                js = api;
            }

            int add(int a, int b) { return a + b; }

            static long long now_ns(void) {
                struct timespec t;
                clock_gettime(CLOCK_MONOTONIC, &t);
                return t.tv_sec * 1000000000LL + t.tv_nsec;
            }

            static int compare(const void *a, const void *b) {
                long long x = *(const long long *) a, y = *(const long long *) b;
                return x < y ? -1 : x > y;
            }

            static void c_calls(void) {
                char out[64];
                long long *ns = malloc(sizeof(long long) * count);
                int failed = 0;
                /* warm-up: rate seconds of calls (the master's JIT compiles the path meanwhile) */
                for (long long until = now_ns() + rate * 1000000000LL; now_ns() < until;) {
                    js->call("echo", "[1]", out, sizeof out, 10000);
                }
                long long start = now_ns();
                for (int i = 0; i < count; i++) {
                    long long t = now_ns();
                    if (js->call("echo", "[1]", out, sizeof out, 10000) != SDM_OK) failed++;
                    ns[i] = now_ns() - t;
                }
                double seconds = (now_ns() - start) / 1e9;
                qsort(ns, count, sizeof ns[0], compare);
                snprintf(result, sizeof result, "{\\"p50Micros\\":%.1f,\\"p90Micros\\":%.1f,\\"p99Micros\\":%.1f,"
                        "\\"perSecond\\":%.0f,\\"failed\\":%d}", ns[count / 2] / 1e3, ns[count * 9 / 10] / 1e3,
                        ns[count * 99 / 100] / 1e3, count / seconds, failed);
                free(ns);
            }

            static void c_posts(void) {
                char args[32];
                int refused = 0;
                long long start = now_ns();
                for (int i = 0; i < count; i++) {
                    /* paced: post i is not made before i / rate seconds */
                    long long due = start + (long long) i * 1000000000LL / rate;
                    long long wait = due - now_ns();
                    if (wait > 200000) usleep(wait / 1000);
                    snprintf(args, sizeof args, "[%d]", i);
                    if (js->post("tick", args, 60000) != SDM_OK) refused++;
                }
                snprintf(result, sizeof result, "{\\"posted\\":%d,\\"refused\\":%d,\\"seconds\\":%.2f}", count - refused,
                        refused, (now_ns() - start) / 1e9);
            }

            static void js_calls(void) {
                char args[32];
                snprintf(args, sizeof args, "[%d, %d]", count, rate);
                int rc = js->call("callC", args, result, sizeof result, 600000);
                if (rc != SDM_OK) snprintf(result + strlen(result), 64, " (%d)", rc);
            }

            static void *run(void *unused) {
                (void) unused;
                if (kind == 0) c_calls(); else if (kind == 1) c_posts(); else js_calls();
                done = 1;
                return NULL;
            }

            /* kind 0: timed C calls of echo after rate s of warm-up; 1: posts of tick at rate a second;
               2: JS's timed calls of add after rate s of warm-up */
            int start(int kind_, int count_, int rate_) {
                if (!done) return -1;
                if (working) pthread_join(worker, NULL);
                kind = kind_; count = count_; rate = rate_ > 0 ? rate_ : 1; done = 0; result[0] = 0;
                working = pthread_create(&worker, NULL, run, NULL) == 0;
                return working ? 0 : -2;
            }

            const char *report(void) { return done ? result : "running"; }
            """;

    static final String FUNCTIONS = """
            { "name": "add", "returns": "int", "params": ["int", "int"] },
            { "name": "start", "returns": "int", "params": ["int", "int", "int"] },
            { "name": "report", "returns": "string", "params": [] }
            """;

    static final String EXPORTS = """
            { "name": "echo", "returns": "int", "params": ["int"] },
            { "name": "tick", "returns": "void", "params": ["int"] },
            { "name": "callC", "returns": "string", "params": ["int", "int"] }
            """;

    /** {@code callC(count, warmupS)}: sequential sdm.call of add on the caller's node, in batches of 100, after a warm-up. */
    static final String SCRIPT = """
            sdm.export('echo', (x) => x);
            // a burst of posts is counted from its first: one 2 s after the last begins the next
            let ticks = 0, firstMs = 0, lastMs = 0;
            sdm.export('tick', () => {
              const now = Date.now();
              if (now - lastMs > 2000) { ticks = 0; firstMs = now; }
              ticks++;
              lastMs = now;
            });
            let said = -1;
            sdm.every(500, () => {
              if (ticks !== said) { said = ticks; console.log('TICKS ' + ticks + ' ' + (lastMs - firstMs)); }
            });
            sdm.export('callC', async (count, warmupS, { node }) => {
              const options = { nodes: [node] };
              const BATCH = 100, batches = [];
              for (const until = Date.now() + warmupS * 1000; Date.now() < until;) await sdm.call('add', [1, 1], options);
              for (let b = 0; b < count / BATCH; b++) {
                const t = Date.now();
                for (let i = 0; i < BATCH; i++) await sdm.call('add', [i, 1], options);
                batches.push((Date.now() - t) * 1000 / BATCH);
              }
              batches.sort((a, b) => a - b);
              const at = (q) => batches[Math.min(batches.length - 1, Math.floor(batches.length * q))];
              return JSON.stringify({ p50Micros: at(0.5), p90Micros: at(0.9), batch: BATCH });
            });
            """;

    private final Bench bench;
    private final int count;
    private final int posts;
    private final int rate;
    private final int warmupS;

    UpcallsBench(Bench bench, Map<String, String> options) {
        this.bench = bench;
        this.count = Integer.parseInt(options.getOrDefault("--count", "5000"));
        this.posts = Integer.parseInt(options.getOrDefault("--posts", "100000"));
        this.rate = Integer.parseInt(options.getOrDefault("--rate", "10000"));
        this.warmupS = Integer.parseInt(options.getOrDefault("--warmup", "15"));
    }

    void run(int runs) throws Exception {
        System.out.println("sdm bench upcalls: " + runs + " runs of " + count + " sequential C->JS calls, as many "
                + "JS->C calls (each after " + warmupS + " s of warm-up) and raw CURVE echoes, then " + posts
                + " posts from each of 3 slaves at " + rate + "/s");
        LocalMachine machine = bench.startLocal(bench.work, 3, List.of(), Map.of());
        AdminSession admin = machine.admin();
        Path archive = TestPrograms.packWithExports(bench.work, "upcall", SOURCE, FUNCTIONS, EXPORTS, SCRIPT);
        admin.text("sdm:install", "--start", archive.toString());
        List<String> slaves = new ArrayList<>();
        admin.json("sdm:nodes").forEach(n -> slaves.add(n.get("id").asText()));
        long masterPid = machine.process().pid();
        List<Map<String, Object>> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            JsonNode c = job(admin, slaves.get(0), 0, count, warmupS);
            // callC returns a string, and a string comes back from C as its JSON
            String jsReport = job(admin, slaves.get(0), 2, count, warmupS).asText();
            JsonNode js = Bench.JSON.readTree(Bench.JSON.readTree(jsReport).asText());
            JsonNode raw = new CallsBench(bench).rawEcho(CallMachine.payload(), count, 1, 1, 0).get("sequential");
            String before = tickLine(admin);
            long cpuBefore = ProcessFigures.cpuMs(masterPid);
            for (String s : slaves) {
                call(admin, s, "start", 1, posts, rate);
            }
            // all of them counted, or the count still for 3 s (posts dropped or refused on the way)
            long expected = 3L * posts;
            String[] last = {before};
            int[] still = {0};
            Waits.until("the posts run", Duration.ofSeconds(posts / rate * 3L + 120), Duration.ofMillis(500),
                    () -> tickLine(admin), line -> {
                        still[0] = line.equals(last[0]) ? still[0] + 1 : 0;
                        last[0] = line;
                        return !line.equals(before)
                                && (Long.parseLong(line.split(" ")[1]) >= expected || still[0] >= 6);
                    });
            long cpuMs = ProcessFigures.cpuMs(masterPid) - cpuBefore;
            long lastTick = System.nanoTime();
            String[] t = tickLine(admin).split(" ");
            long delivered = Long.parseLong(t[1]);
            double perSecond = delivered / (Long.parseLong(t[2]) / 1000.0);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("cToJs", c);
            r.put("jsToC", js);
            r.put("rawEcho", raw);
            r.put("postsDelivered", delivered);
            r.put("postsPerSecond", Math.round(perSecond));
            r.put("masterCpuMsPer1000Posts", Math.round(cpuMs * 1000.0 / Math.max(1, delivered) * 10) / 10.0);
            results.add(r);
            Waits.until("the posts' tally old enough to start over", Duration.ofSeconds(10), Duration.ofMillis(100),
                    System::nanoTime, n -> n - lastTick > 2_500_000_000L);
            System.out.printf(Locale.ROOT, "run %d: C->JS p50 %.1f us p90 %.1f us; JS->C p50 %.1f us p90 %.1f us; "
                    + "raw p50 %.1f us; %d of %d posts delivered, %.0f/s, master CPU %.1f ms per 1000%n", run,
                    c.get("p50Micros").asDouble(), c.get("p90Micros").asDouble(), js.get("p50Micros").asDouble(),
                    js.get("p90Micros").asDouble(), raw.get("p50Micros").asDouble(), delivered, 3L * posts, perSecond,
                    cpuMs * 1000.0 / Math.max(1, delivered));
        }
        report(results);
    }

    private void report(List<Map<String, Object>> runs) throws Exception {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %12s%n", "median of " + runs.size() + " runs", "");
        double c50 = median(runs, r -> ((JsonNode) r.get("cToJs")).get("p50Micros").asDouble());
        double c90 = median(runs, r -> ((JsonNode) r.get("cToJs")).get("p90Micros").asDouble());
        double j50 = median(runs, r -> ((JsonNode) r.get("jsToC")).get("p50Micros").asDouble());
        double j90 = median(runs, r -> ((JsonNode) r.get("jsToC")).get("p90Micros").asDouble());
        double raw50 = median(runs, r -> ((JsonNode) r.get("rawEcho")).get("p50Micros").asDouble());
        double perSecond = median(runs, r -> ((Number) r.get("postsPerSecond")).doubleValue());
        double cpu = median(runs, r -> ((Number) r.get("masterCpuMsPer1000Posts")).doubleValue());
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "C->JS call p50 (us)", c50);
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "C->JS call p90 (us)", c90);
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "JS->C sdm.call p50 (us, batch means)", j50);
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "JS->C sdm.call p90 (us, batch means)", j90);
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "raw CURVE echo p50 (us)", raw50);
        System.out.printf(Locale.ROOT, "%-40s %12.2f%n", "C->JS p50 / JS->C p50", c50 / j50);
        System.out.printf(Locale.ROOT, "%-40s %12.2f%n", "C->JS p50 / raw echo p50", c50 / raw50);
        System.out.printf(Locale.ROOT, "%-40s %12.0f%n", "posts delivered a second, 3 slaves", perSecond);
        System.out.printf(Locale.ROOT, "%-40s %12.1f%n", "master CPU ms per 1000 posts", cpu);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "upcalls");
        out.put("cToJsP50Micros", c50);
        out.put("cToJsP90Micros", c90);
        out.put("jsToCP50Micros", j50);
        out.put("jsToCP90Micros", j90);
        out.put("rawEchoP50Micros", raw50);
        out.put("postsPerSecond", perSecond);
        out.put("masterCpuMsPer1000Posts", cpu);
        out.put("runs", runs);
        bench.record("upcalls", out);
    }

    private static double median(List<Map<String, Object>> runs, java.util.function.ToDoubleFunction<Map<String, Object>> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Starts a job of the library on {@code node} and waits for its report. */
    private static JsonNode job(AdminSession admin, String node, int kind, int count, int rate) throws Exception {
        call(admin, node, "start", kind, count, rate);
        String report = Waits.until("the library's job", Duration.ofMinutes(10), Duration.ofMillis(200),
                () -> call(admin, node, "report").asText(), r -> !r.equals("running"));
        return kind == 2 ? Bench.JSON.getNodeFactory().textNode(report) : Bench.JSON.readTree(report);
    }

    private static JsonNode call(AdminSession admin, String node, String function, Object... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sdm:call", "--node", node, "upcall", function));
        for (Object a : args) {
            command.add(String.valueOf(a));
        }
        return admin.json(command.toArray(String[]::new)).get(node);
    }

    /** The JS's last {@code TICKS N MS} line: N posts run, the first to the last MS apart; empty before any. */
    private static String tickLine(AdminSession admin) throws Exception {
        String log = admin.reply("sdm:log", "--lines", "50", "upcall").output();
        int at = log.lastIndexOf("TICKS ");
        if (at < 0) {
            return "";
        }
        int end = log.indexOf('\n', at);
        return log.substring(at, end < 0 ? log.length() : end).strip();
    }
}
