package sdm.bench;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import sdm.testkit.Executables;
import sdm.testkit.Ports;
import sdm.testkit.Waits;

/**
 * The MQTT baseline's broker: the machine's Mosquitto (installed with apt-get when it is missing
 * and bin/bench runs as root), never its system service: started by the harness with its own
 * configuration on 127.0.0.1 and a free port, as one of the harness's processes, so it is
 * stopped with them, also on failure.
 */
record Mosquitto(int port, String version) {

    /** Starts a broker in the bench's working folder and returns once it takes connections. */
    static Mosquitto start(Bench bench) throws Exception {
        Path executable = executable(bench.work);
        int port = Ports.free();
        Path conf = bench.work.resolve("mosquitto.conf");
        // what would slow the broker or drop messages is off: Nagle, the in-flight limit of 20
        // QoS 1 messages per client, the queue limit of 1000 (past it, QoS 0 messages are dropped)
        Files.writeString(conf, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                set_tcp_nodelay true
                max_inflight_messages 0
                max_queued_messages 1000000
                max_queued_bytes 0
                log_dest stdout
                log_type error
                log_type warning
                log_type notice
                """.formatted(port));
        Process broker = bench.start(bench.work, List.of(executable.toString(), "-c", conf.toString()), "mosquitto");
        Waits.untilTrue("mosquitto on 127.0.0.1:" + port, Duration.ofSeconds(60), () -> {
            if (!broker.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + broker.exitValue() + ": "
                        + Files.readString(bench.work.resolve("mosquitto.out")).strip());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        return new Mosquitto(port, version(executable));
    }

    /** Where mosquitto is; installs it first when it is missing and this is root. */
    private static Path executable(Path work) throws Exception {
        Path found = Executables.find("mosquitto");
        if (found != null) {
            return found;
        }
        Path log = work.resolve("apt.out");
        found = Executables.install("mosquitto", log, "bin/bench mqtt", "mosquitto");
        // the package may start its system service on port 1883; it is not the one measured
        if (Files.exists(Path.of("/etc/init.d/mosquitto"))) {
            new ProcessBuilder("service", "mosquitto", "stop").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start().waitFor();
        }
        return found;
    }

    /** The first line of {@code mosquitto -h}: "mosquitto version 2.0.11". */
    private static String version(Path executable) throws Exception {
        Process p = new ProcessBuilder(executable.toString(), "-h").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().findFirst().orElse("unknown").strip();
    }
}
