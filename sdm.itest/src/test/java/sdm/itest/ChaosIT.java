package sdm.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sdm.chaos.Chaos;

import sdm.testkit.SdmProcess;

/**
 * The short chaos runs ({@code bin/chaos --faults 20 --check-every 10}, and with {@code
 * --masters 3}): a client installing, starting, stopping, updating, uninstalling and calling
 * programs on {@code bin/sdm local --slaves 5} while slaves are killed and frozen, the master's
 * port is black-holed and the master is killed and restarted; then on three replicated masters
 * and five slaves while masters are killed, frozen and cut off one at a time, and slaves killed
 * and frozen. No invariant may break. {@code bin/chaos} is the long run.
 */
class ChaosIT {

    @TempDir
    Path work;

    @Test
    void twentyFaultsBreakNoInvariant() throws Exception {
        Chaos.Outcome o = Chaos.run(Chaos.Settings.defaults(SdmProcess.PROJECT, work).withFaults(20, 10), System.out);
        System.out.println(o.summary());

        assertThat(o.violations()).as(o.summary()).isEmpty();
        assertThat(o.faults().get("master-kill")).as("master kills").isGreaterThanOrEqualTo(4);
        assertThat(o.faults().getOrDefault("partition", 0)).as("black-hole partitions (iptables, which .ci/run installs)")
                .isGreaterThanOrEqualTo(2);
        assertThat(o.faults().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
        assertThat(o.checks()).isEqualTo(2);
        assertThat(o.acknowledged()).as("operations the master acknowledged").isGreaterThanOrEqualTo(10);
        assertThat(o.calls()).as("calls made").isPositive();
    }

    @Test
    void twentyFaultsOnThreeMastersBreakNoInvariant() throws Exception {
        Chaos.Outcome o = Chaos.run(Chaos.Settings.defaults(SdmProcess.PROJECT, work).withFaults(20, 10)
                .withMasters(3), System.out);
        System.out.println(o.summary());

        assertThat(o.violations()).as(o.summary()).isEmpty();
        assertThat(o.faults().get("master-kill")).as("master kills").isGreaterThanOrEqualTo(4);
        assertThat(o.faults().getOrDefault("master-cut", 0)).as("masters cut off (iptables, which .ci/run installs)")
                .isGreaterThanOrEqualTo(4);
        assertThat(o.faults().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
        assertThat(o.checks()).isEqualTo(2);
        assertThat(o.acknowledged()).as("operations the masters acknowledged").isGreaterThanOrEqualTo(10);
        assertThat(o.calls()).as("calls made").isPositive();
    }
}
