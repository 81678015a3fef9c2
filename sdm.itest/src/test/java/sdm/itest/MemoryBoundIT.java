package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import sdm.testkit.AdminSession;
import sdm.testkit.Ports;
import sdm.testkit.SdmProcess;
import sdm.testkit.TestPrograms;
import sdm.testkit.Waits;

/**
 * The memory bound counts what a program retains and nothing of the master's: on a master whose
 * programs may keep 4 MiB, programs that make garbage and keep almost nothing (a script using its
 * store, a module) run on through many measurements, while one that keeps what it makes is
 * stopped. A program is measured each time it has allocated 1 MiB; the master it runs in is many
 * times 4 MiB, so a measurement that strayed into the master would stop the first two at once.
 */
class MemoryBoundIT {

    private static final String TICK = """
            let ticks = 0, garbage;
            function tick(name) {
              ticks++;
              garbage = [];
              for (let i = 0; i < 5000; i++) garbage.push({i, s: 'g' + i});
              if (ticks % 50 === 0) console.log(name + ' tick ' + ticks);
              return ticks;
            }
            """;

    @TempDir
    Path work;
    private SdmProcess master;

    @AfterEach
    void stop() throws Exception {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void programsKeepingLittleRunOnAndOneKeepingMuchIsStopped() throws Exception {
        master = SdmProcess.master(work, Ports.free(), "master", Map.of("SDM_JAVA_OPTS", "-Dsdm.js.memory.mb=4"));
        AdminSession admin = new AdminSession(work.resolve("master"));
        admin.installScript(work, "script", TICK + """
                sdm.every(20, () => sdm.store.set('ticks', tick('script')));
                Promise.reject(new Error('left unhandled'));
                """);
        assertThat(admin.reply("sdm:install", "--start", TestPrograms.packModule(work, "module", Map.of(
                "js/main.mjs", "import { tick } from './tick.mjs';\nsdm.every(20, () => tick('module'));\n",
                "js/tick.mjs", TICK.replace("function tick", "export function tick"))).toString()).ok()).isTrue();
        admin.installScript(work, "hoarder", """
                const kept = [];
                sdm.every(20, () => { for (let i = 0; i < 5000; i++) kept.push({i, s: 'k' + i}); });
                """);

        JsonNode hoarder = Waits.until("the hoarder stopped", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> admin.app("hoarder").get("master"), s -> "failed".equals(s.get("state").asText()));
        assertThat(hoarder.get("detail").asText()).contains("used more than 4 MiB");
        for (String name : List.of("script", "module")) {
            Waits.untilTrue(name + " past 250 ticks, or stopped", Duration.ofSeconds(60),
                    () -> admin.log(name).contains(name + " tick 250") || !active(admin, name));
            assertThat(admin.app(name).get("master").get("state").asText()).as(name + ": " + admin.app(name))
                    .isEqualTo("active");
        }
        assertThat(admin.log("script")).contains("left unhandled");
    }

    private static boolean active(AdminSession admin, String name) throws Exception {
        return "active".equals(admin.app(name).get("master").get("state").asText());
    }
}
