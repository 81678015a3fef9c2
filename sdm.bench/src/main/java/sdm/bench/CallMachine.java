package sdm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.archive.JamPacker;
import sdm.testkit.AdminSession;
import sdm.testkit.Gcc;
import sdm.testkit.LocalMachine;
import sdm.testkit.Waits;
import sdm.transport.zmq.Message;
import sdm.transport.zmq.MessageCodec;

/**
 * A {@code bin/sdm local --slaves 3} machine running the bench program, {@code add(int,int)} in
 * C, with the probe bundle ({@link sdm.bench.probe.CallProbe}) started in its master: ready for
 * {@code bench:calls} on {@code node}.
 */
record CallMachine(AdminSession admin, String node) {

    private static final String SOURCE = "int add(int a, int b) { return a + b; }\n";

    /**
     * The master's option that lets this admin client install the probe ({@code felix:install},
     * {@code felix:start}, {@code felix:lb}) and run it ({@code bench:calls}): off by default, a
     * remote client runs only {@code sdm:*} commands and {@code help}.
     */
    static final String REMOTE_SCOPES = "-Dsdm.admin.remote.scopes=felix,bench";

    /** Starts the machine in the bench's working folder, installs the program and the probe. */
    static CallMachine start(Bench bench) throws Exception {
        LocalMachine machine = bench.startLocal(bench.work, 3, List.of(), Map.of("SDM_JAVA_OPTS", javaOpts("")));
        return install(bench, machine.admin(), bench.work);
    }

    /** The caller's {@code SDM_JAVA_OPTS}, then {@link #REMOTE_SCOPES}, then {@code more}. */
    static String javaOpts(String more) {
        return (System.getenv().getOrDefault("SDM_JAVA_OPTS", "") + " " + REMOTE_SCOPES + " " + more).strip();
    }

    /**
     * Installs the program (built in {@code dir}) and the probe on a machine that runs, for calls
     * on its first slave. Its master must have been started with {@link #REMOTE_SCOPES}.
     */
    static CallMachine install(Bench bench, AdminSession admin, Path dir) throws Exception {
        String node = admin.json("sdm:nodes").get(0).get("id").asText();
        admin.text("sdm:install", "--start", program(dir).toString());
        Path probe;
        try (Stream<Path> jars = Files.list(bench.project.resolve("sdm.bench.probe/target"))) {
            probe = jars.filter(p -> p.getFileName().toString().matches("sdm\\.bench\\.probe-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no jar in sdm.bench.probe/target: build it first"));
        }
        String installed = admin.text("felix:install", probe.toUri().toString());
        Matcher id = Pattern.compile("Bundle ID: (\\d+)").matcher(installed);
        if (!id.find()) {
            throw new IOException("installing the probe bundle said: " + installed.strip());
        }
        admin.text("felix:start", id.group(1));
        try {
            Waits.untilTrue("the bench:calls command", Duration.ofSeconds(60),
                    () -> admin.text("help", "bench:calls").contains("scope: bench"));
        } catch (TimeoutException e) {
            throw new IOException(e.getMessage() + "; bundles:\n" + admin.text("felix:lb"));
        }
        return new CallMachine(admin, node);
    }

    /** The bytes of one call as SDM puts it on the wire: the baselines send this payload. */
    static byte[] payload() {
        return new MessageCodec().seal(new Message.Call("bench-1", "bench", "add", List.of(1, 2), 10_000), 10_000);
    }

    /**
     * One run of {@code bench:calls}: {@code count} calls one after the other, then {@code burst}
     * with {@code inflight} in flight; {@code {"sequential": Stats, "inflight": Stats}}.
     */
    JsonNode measure(int count, int inflight, int burst) throws Exception {
        return measure(count, inflight, burst, 0);
    }

    /** As {@link #measure(int, int, int)}, with {@code "batches"} of {@code batch} sequential calls when it is above 0. */
    JsonNode measure(int count, int inflight, int burst, int batch) throws Exception {
        return Bench.JSON.readTree(admin.text("bench:calls", "--count", "" + count, "--inflight", "" + inflight,
                "--burst", "" + burst, "--batch", "" + batch, "bench", "add", node).strip());
    }

    /**
     * How many calls the slave ran on its link's thread and on its pool so far, and how often a
     * call held the link so long that the other link thread took over (the slave reports them
     * every 2 s): {@code "inline/pooled/takeovers"}.
     */
    String slaveCallCounters() throws Exception {
        JsonNode counters = admin.json("sdm:master").get("counters");
        String name = "";
        for (JsonNode n : admin.json("sdm:nodes")) {
            if (n.get("id").asText().equals(node)) {
                name = n.get("name").asText();
            }
        }
        return counters.path("node." + name + ".callsInline").asLong() + "/"
                + counters.path("node." + name + ".callsPooled").asLong() + "/"
                + counters.path("node." + name + ".linkTakeovers").asLong();
    }

    /** The JVM options of the slave that takes the calls, as it runs (machine in {@code work}), -X and -XX ones only. */
    List<String> slaveJvmOptions(Path work) throws Exception {
        for (JsonNode n : admin.json("sdm:nodes")) {
            if (n.get("id").asText().equals(node)) {
                long pid = Long.parseLong(Files.readString(work.resolve("sdm-data/" + n.get("name").asText() + "/sdm.pid"))
                        .strip());
                return Bench.jvmFlags(pid).stream().filter(f -> f.startsWith("-X") && !f.startsWith("-XX:AOTCache"))
                        .toList();
            }
        }
        throw new IllegalStateException("node " + node + " is not in sdm:nodes");
    }

    /** The benchmark's program: add(int,int), compiled with gcc now. */
    private static Path program(Path work) throws Exception {
        return program(work, "bench", null);
    }

    /**
     * A program named {@code name} with add(int,int) compiled with gcc now, and {@code script} as
     * its master part when it is not null.
     */
    static Path program(Path work, String name, String script) throws Exception {
        Path dir = work.resolve(name.equals("bench") ? "program" : "program-" + name);
        Path lib = dir.resolve("native/linux-x86_64/lib" + name + ".so");
        Gcc.sharedLibrary(lib, SOURCE);
        String master = "";
        if (script != null) {
            Files.createDirectories(dir.resolve("js"));
            Files.writeString(dir.resolve("js/main.js"), script);
            master = "\"master\":{\"main\":\"js/main.js\"},\n ";
        }
        Files.writeString(dir.resolve("MANIFEST.json"), """
                {"name":"%s","version":"1.0.0",
                 %s"native":{"libraries":[{"os":"linux","arch":"x86_64","path":"native/linux-x86_64/lib%s.so"}],
                           "functions":[{"name":"add","returns":"int","params":["int","int"]}]}}
                """.formatted(name, master, name));
        return JamPacker.pack(dir, work.resolve(name + ".jam.zip"));
    }
}
