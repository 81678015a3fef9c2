package sdm.master.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import sdm.api.MachineInfo;
import sdm.api.MasterInfo;
import sdm.api.NodeInfo;
import sdm.api.NodeTree;
import sdm.api.ProgramRuntime;

/** The {@code sdm:nodes} and {@code sdm:master} shell commands. */
@Component(service = MachineCommands.class, property = {
        "osgi.command.scope=sdm",
        "osgi.command.function=nodes",
        "osgi.command.function=master" })
public final class MachineCommands {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** How long {@code sdm:nodes --tree} waits for the child machines, each level a little less. */
    private static final Duration TREE_TIMEOUT = Duration.ofSeconds(5);

    @Reference
    private MachineInfo machine;
    @Reference
    private MasterNode master;
    /** The kernel, when it runs: the master works without it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ProgramRuntime runtime;

    @Descriptor("list the nodes of this machine (slaves, child machines): id, name, kind, address, os/arch, labels,"
            + " state, last seen, key")
    public void nodes(CommandSession session,
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json,
            @Descriptor("the whole tree: the nodes of child machines too, eight levels deep") @Parameter(names = "--tree",
                    presentValue = "true", absentValue = "false") boolean tree) throws Exception {
        if (tree) {
            List<NodeTree> t = master.trees().tree(TREE_TIMEOUT).get(TREE_TIMEOUT.toMillis() + 1_000,
                    TimeUnit.MILLISECONDS);
            System.out.print(json || wantsJson(session) ? JSON.writeValueAsString(TreeView.json(t)) + "\n"
                    : TreeView.text(t));
            return;
        }
        List<NodeInfo> nodes = machine.nodes();
        if (json || wantsJson(session)) {
            System.out.println(JSON.writeValueAsString(nodes.stream().map(n -> {
                Map<String, Object> one = nodeJson(n);
                one.put("key", master.gate().fingerprint(n.id()));
                return one;
            }).toList()));
            return;
        }
        long now = System.currentTimeMillis();
        Table table = new Table("ID", "NAME", "KIND", "ADDRESS", "OS/ARCH", "LABELS", "STATE", "SINCE", "LAST SEEN",
                "KEY");
        for (NodeInfo n : nodes) {
            long since = n.online() ? n.onlineSinceMs() : n.offlineSinceMs();
            table.row(n.id(), n.name(), kind(n), n.address(), n.os() + "/" + n.arch(), labels(n.labels()),
                    n.online() ? "online" : "offline", since <= 0 ? "-" : ago(now - since), ago(now - n.lastSeenMs()),
                    master.gate().fingerprint(n.id()));
        }
        System.out.print(table);
        long offline = nodes.stream().filter(n -> !n.online()).count();
        System.out.println(nodes.size() + " node" + (nodes.size() == 1 ? "" : "s") + ", " + offline + " offline");
    }

    @Descriptor("show the master: id, address, replicas, uptime, version, counters")
    public void master(CommandSession session,
            @Descriptor("print JSON instead of text") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json) throws JsonProcessingException {
        MasterInfo m = machine.master();
        ProgramRuntime js = runtime;
        Map<String, Object> javascript = js == null ? Map.of() : js.describe();
        if (json || wantsJson(session)) {
            Map<String, Object> out = JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() { });
            out.put("javascript", javascript.isEmpty() ? null : javascript);
            System.out.println(JSON.writeValueAsString(out));
            return;
        }
        System.out.println("id        " + m.id());
        System.out.println("address   " + m.address());
        System.out.println("replicas  " + (m.replicas().isEmpty() ? "none" : m.replicas().size()));
        if (!m.replicas().isEmpty()) {
            System.out.print(ReplicaView.table(m.replicas()).indent(2));
        }
        System.out.println("uptime    " + duration(m.uptimeMs()));
        System.out.println("version   " + m.version());
        System.out.println("timing    heartbeat every " + m.heartbeatMs() + " ms, offline after " + m.livenessMs()
                + " ms of silence");
        List<NodeInfo> nodes = machine.nodes();
        System.out.println("nodes     " + nodes.size() + " (" + nodes.stream().filter(NodeInfo::online).count()
                + " online)");
        System.out.println("js        " + (javascript.isEmpty() ? "not running (no kernel)"
                : javascript.get("engine") + "; " + javascript.get("programs") + " running; at most "
                        + javascript.get("memoryLimitMb") + " MiB each"));
        System.out.println("counters");
        m.counters().forEach((k, v) -> System.out.println("  " + k + " " + v));
    }

    private static boolean wantsJson(CommandSession session) {
        return Boolean.TRUE.equals(session.get(AdminShell.JSON_VARIABLE));
    }

    /** The field names of docs/contract.md §6, shared with the JS view. */
    /** A slave, or a child machine with its slaves online. */
    private static String kind(NodeInfo n) {
        return n.role() == NodeInfo.Role.MACHINE ? "machine (" + n.slavesOnline() + "/" + n.slaves() + " slaves online)"
                : "slave";
    }

    private static Map<String, Object> nodeJson(NodeInfo n) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", n.id());
        json.put("name", n.name());
        json.put("kind", n.kind());
        if (n.role() == NodeInfo.Role.MACHINE) {
            json.put("slaves", n.slaves());
            json.put("slavesOnline", n.slavesOnline());
        }
        json.put("address", n.address());
        json.put("os", n.os());
        json.put("arch", n.arch());
        json.put("labels", n.labels());
        json.put("version", n.version());
        json.put("online", n.online());
        json.put("lastSeenMs", n.lastSeenMs());
        json.put("onlineSinceMs", n.onlineSinceMs());
        json.put("offlineSinceMs", n.offlineSinceMs());
        return json;
    }

    private static String labels(Map<String, String> labels) {
        return labels.isEmpty() ? "-" : labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static String ago(long ms) {
        return ms < 1000 ? "now" : duration(ms) + " ago";
    }

    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return s + "." + (ms % 1000) / 100 + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + (s % 3600) / 60 + " min";
    }
}
