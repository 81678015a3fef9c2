package sdm.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

import sdm.api.MachineInfo;
import sdm.api.node.NodeProperties;
import sdm.api.replication.NotLeaderException;
import sdm.api.replication.ReplicaStatus;
import sdm.api.replication.ReplicatedLog;
import sdm.api.replication.ReplicatedState;
import sdm.testkit.Ports;

/**
 * Ratis inside the master's Felix: a master started with a list of replicas gives the
 * replication bundle its state, which starts this master's consensus server (the other two
 * masters of its list are not there) and registers the log; it takes no appends without a
 * majority, and the master, never elected, serves nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReplicationInFelixIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        int self = Ports.freePair();
        String replicas = "127.0.0.1:" + self + ",127.0.0.1:" + Ports.freePair() + ",127.0.0.1:" + Ports.freePair();
        List<Option> options = BundlesInFelixIT.masterOptions(Files.createTempDirectory("sdm-paxexam-repl"),
                "127.0.0.1:" + self);
        options.add(frameworkProperty(NodeProperties.MASTER_REPLICAS).value(replicas));
        return options.toArray(Option[]::new);
    }

    @Test
    public void aReplicatedMasterStartsItsLogAndWaitsForAMajorityToLead() throws Exception {
        ServiceTracker<ReplicatedLog, ReplicatedLog> tracker = new ServiceTracker<>(context, ReplicatedLog.class, null);
        tracker.open();
        try {
            ReplicatedLog log = tracker.waitForService(30_000);
            assertNotNull("no ReplicatedLog within 30 s", log);
            assertNotNull("the master gives the log its state", context.getServiceReference(ReplicatedState.class));
            ReplicaStatus self = log.self();
            assertEquals("m1", self.id());
            assertTrue(self.toString(), self.role() != ReplicaStatus.Role.LEADER);
            assertEquals(List.of("m1", "m2", "m3"), log.replicas().stream().map(ReplicaStatus::id).toList());
            String bind = context.getProperty(NodeProperties.MASTER_BIND);
            int consensus = Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1)) + 1;
            assertEquals("127.0.0.1:" + consensus, self.address());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", consensus), 5_000);
            }
            try {
                log.append(new byte[] {1}).get(20, TimeUnit.SECONDS);
                throw new AssertionError("a lone master took an append");
            } catch (ExecutionException e) {
                assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof NotLeaderException);
            }
            MachineInfo machine = context.getService(context.getServiceReference(MachineInfo.class));
            assertEquals("a follower serves no slaves", List.of(), machine.nodes());
            Bundle master = FrameworkUtil.getBundle(machine.getClass());
            master.stop();
            assertTrue("the log goes with the master's state", context.getServiceReference(ReplicatedLog.class) == null);
            master.start();
        } finally {
            tracker.close();
        }
    }
}
