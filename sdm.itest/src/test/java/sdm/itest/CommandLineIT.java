package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import sdm.api.node.NodeFiles;
import sdm.transport.zmq.CurveKeyPair;

import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.Waits;

/** Bad command lines and hostile surroundings: each gets one line on stderr, never a stack trace. */
class CommandLineIT {

    @TempDir
    Path work;

    private SdmProcess.Result sdm(String... args) throws Exception {
        return SdmProcess.run(work, Duration.ofSeconds(60), Map.of(), args);
    }

    private static void assertOneLineError(SdmProcess.Result r, int exitCode, String expected) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(exitCode);
        String err = r.stderr().strip();
        assertThat(err).contains(expected);
        assertThat(err.lines().count()).as("one line: %s", err).isEqualTo(1);
        assertThat(err).doesNotContain("Exception", "\tat ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "frobnicate                              | unknown command 'frobnicate'",
            "master --bogus                          | sdm master: unknown option --bogus",
            "local --slaves many                     | sdm local: --slaves wants a number",
            "local --bind nowhere                    | sdm local: --bind wants HOST:PORT",
            "slave --token abc                       | sdm slave: --master HOST:PORT is required",
            "slave --master 127.0.0.1:7700           | sdm slave: --token TOKEN or --token-file FILE is required",
            "slave --master 127.0.0.1:1 --token a --token-file b | sdm slave: give --token or --token-file, not both",
            "slave --master 127.0.0.1:1 --token-file /no/such/file | sdm slave: cannot read --token-file /no/such/file",
            "slave --master 127.0.0.1:1 --label oops --token x | sdm slave: --label wants k=v",
            "master --token abc                      | sdm master: --token, --token-file and --label go with --parent",
            "master --parent 127.0.0.1:1             | sdm master: --token TOKEN or --token-file FILE is required",
            "master --parent nowhere --token x       | sdm master: --parent wants HOST:PORT",
            "master --parent 0.0.0.0:7700 --token x  | sdm master: --parent 0.0.0.0:7700 is this master's own --bind",
            "client                                  | sdm client: no command given",
            "client --timeout soon sdm:nodes         | sdm client: cannot read"})
    void aWrongCommandLineGetsOneLine(String line, String expected) throws Exception {
        assertOneLineError(sdm(line.trim().split("\\s+")), 2, expected.trim());
    }

    @Test
    void helpIsUsageAndSuccess() throws Exception {
        SdmProcess.Result r = sdm("local", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("usage: sdm COMMAND", "local", "master", "slave", "client");
    }

    @Test
    void withoutJdk25TheLauncherSaysSo() throws Exception {
        Path emptyJvmDir = Files.createDirectories(work.resolve("jvms"));
        SdmProcess.Result r = SdmProcess.run(work, Duration.ofSeconds(30),
                Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64", "SDM_JVM_DIR", emptyJvmDir.toString()),
                "local");
        assertOneLineError(r, 3, "sdm: needs a JDK 25");
    }

    @Test
    void aPortInUseStopsTheMasterWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            SdmProcess.Result r = sdm("master", "--no-console", "--bind", "127.0.0.1:" + port, "--data", "m");
            assertOneLineError(r, 1, "port " + port + " is already in use");
        }
    }

    @Test
    void aSlaveWithAMalformedTokenStopsWithOneLine() throws Exception {
        SdmProcess.Result r = sdm("slave", "--master", "127.0.0.1:1", "--token", "not-a-token", "--data", "s");
        assertOneLineError(r, 1, "cannot start the slave: bad join token: a join token starts with SDM1-");
    }

    /** A folder with a master's public key and an admin key of these permissions, as a client reads them. */
    private Path clientKeys(String folder, String adminKeyPermissions) throws Exception {
        Path keys = Files.createDirectories(work.resolve(folder));
        Files.writeString(keys.resolve(NodeFiles.MASTER_PUBLIC_KEY), CurveKeyPair.generate().publicKey());
        Path admin = Files.writeString(keys.resolve(NodeFiles.ADMIN_KEY), CurveKeyPair.generate().secretKey());
        Files.setPosixFilePermissions(admin, PosixFilePermissions.fromString(adminKeyPermissions));
        return keys;
    }

    @Test
    void anUnreachableMasterIsOneLine() throws Exception {
        Path keys = clientKeys("keys", "rw-------");
        int port = Ports.free();
        SdmProcess.Result r = sdm("client", "--master", "127.0.0.1:" + port, "--data", keys.toString(), "sdm:nodes");
        assertOneLineError(r, 1, "sdm client: cannot reach master at 127.0.0.1:" + port);
    }

    @Test
    void anAdminKeyOthersMayReadIsRefusedWithTheFix() throws Exception {
        Path keys = clientKeys("loose", "rw-r--r--");
        Path admin = keys.resolve(NodeFiles.ADMIN_KEY);
        SdmProcess.Result r = sdm("client", "--master", "127.0.0.1:" + Ports.free(), "--data", keys.toString(),
                "sdm:nodes");
        assertOneLineError(r, 2, "sdm client: " + admin + " may be read or changed by others (rw-r--r--); a secret "
                + "must be owner-only: chmod 600 " + admin);
    }

    @Test
    void aMasterHostThatDoesNotResolveIsRetriedWithoutAStackTrace() throws Exception {
        String token = sdm.transport.zmq.JoinToken.create(CurveKeyPair.generate().publicKey()).text();
        try (SdmProcess slave = SdmProcess.start(work, Map.of(), "slave", "--master", "no-such-host.invalid:7700",
                "--token", token, "--data", "s")) {
            Waits.until("two attempts to connect", Duration.ofSeconds(30), Duration.ofMillis(200),
                    slave::stderr, err -> err.split("cannot connect to master no-such-host.invalid:7700", -1).length > 2);
            assertThat(slave.isAlive()).isTrue();
            assertThat(slave.stderr()).doesNotContain("\tat ", "Exception in thread");
        }
    }
}
