package sdm.master.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.Set;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.ProgramCalls;
import sdm.api.ProgramState;
import sdm.api.node.ErrorLine;
import sdm.archive.JamManifest;

/**
 * The program commands of docs/contract.md §3: {@code sdm:install}, {@code sdm:start}, {@code sdm:stop},
 * {@code sdm:update}, {@code sdm:uninstall}, {@code sdm:apps}, {@code sdm:app}. Each change
 * returns once every online selected node has answered, or at its timeout, and prints each
 * node's state.
 */
@Component(service = ProgramCommands.class, property = {
        "osgi.command.scope=sdm",
        "osgi.command.function=install",
        "osgi.command.function=start",
        "osgi.command.function=stop",
        "osgi.command.function=update",
        "osgi.command.function=uninstall",
        "osgi.command.function=apps",
        "osgi.command.function=app",
        "osgi.command.function=call",
        "osgi.command.function=log" })
public final class ProgramCommands {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Reference
    private MasterNode master;

    @Reference
    private ProgramCalls calls;

    @Descriptor("the recent log of the machine's programs, or of one program: its console.log lines, failures and refused calls")
    public void log(
            @Descriptor("lines to show") @Parameter(names = "--lines", absentValue = "50") int lines,
            @Descriptor("only this program") @Parameter(names = "--program", absentValue = "") String onlyProgram,
            @Descriptor("the program's name (optional)") String... name) {
        String program = name.length > 0 ? name[0] : onlyProgram.isEmpty() ? null : onlyProgram;
        master.logs().recent(program, Math.max(1, Math.min(lines, ProgramLogs.MACHINE_LINES))).forEach(System.out::println);
    }

    @Descriptor("call a native function of a program on its slaves (all, or one) and print each node's result")
    public void call(CommandSession session,
            @Descriptor("only this node (its id)") @Parameter(names = "--node", absentValue = "") String node,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print {nodeId: result}, {error} for a failed node") @Parameter(names = "--json",
                    presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("the program's name") String name,
            @Descriptor("the function") String function,
            @Descriptor("its arguments, converted by the declared types") String... args)
            throws CallException, ProgramException, InterruptedException, JsonProcessingException {
        if (timeout <= 0 || timeout > 3600) {
            throw new CallException("--timeout wants seconds between 1 and 3600, got " + timeout);
        }
        Map<String, CallResult> results;
        try {
            results = calls.call(name, function, List.of(args), node.isEmpty() ? Set.of() : Set.of(node),
                    Duration.ofSeconds(timeout)).get(timeout + 5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CallException("the call failed: " + ErrorLine.of(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CallException("no answer from the master's call path within " + (timeout + 5) + " s");
        }
        if (json || wantsJson(session)) {
            Map<String, Object> out = new LinkedHashMap<>();
            results.forEach((id, r) -> out.put(id, r.ok() ? r.value() : Map.of("error", r.error())));
            System.out.println(JSON.writeValueAsString(out));
            return;
        }
        Map<String, String> names = new LinkedHashMap<>();
        master.programs().app(name).nodes().forEach(n -> names.put(n.nodeId(), n.name()));
        Table table = new Table("NODE", "NAME", "RESULT");
        results.forEach((id, r) -> table.row(id, names.getOrDefault(id, "?"),
                printable(r.ok() ? String.valueOf(r.value()) : "error: " + r.error())));
        System.out.print(table);
        long failed = results.values().stream().filter(r -> !r.ok()).count();
        System.out.println(results.size() + " node" + (results.size() == 1 ? "" : "s") + ", " + failed + " failed");
    }

    @Descriptor("install a program (.jam.zip) on the master and on the slaves its placement selects")
    public void install(CommandSession session,
            @Descriptor("start it once installed") @Parameter(names = "--start", presentValue = "true",
                    absentValue = "false") boolean start,
            @Descriptor("privileges granted to it, comma-separated") @Parameter(names = "--grant",
                    absentValue = "") String grant,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the archive") String file) throws ProgramException, JsonProcessingException {
        print(session, json, master.programs().install(Path.of(file).toAbsolutePath(), start, grants(grant), "",
                timeout(timeout)));
    }

    @Descriptor("start a program: its JavaScript on the master, its native code on its slaves")
    public void start(CommandSession session,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the program's name") String name) throws ProgramException, JsonProcessingException {
        print(session, json, master.programs().setState(name, ProgramState.ACTIVE, timeout(timeout)));
    }

    @Descriptor("stop a program everywhere; it stays installed")
    public void stop(CommandSession session,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the program's name") String name) throws ProgramException, JsonProcessingException {
        print(session, json, master.programs().setState(name, ProgramState.STOPPED, timeout(timeout)));
    }

    @Descriptor("replace a program with the version in this archive, keeping its state (started or not)")
    public void update(CommandSession session,
            @Descriptor("further privileges granted to it, comma-separated") @Parameter(names = "--grant",
                    absentValue = "") String grant,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the archive") String file) throws ProgramException, JsonProcessingException {
        print(session, json, master.programs().update(Path.of(file).toAbsolutePath(), grants(grant), null, timeout(timeout)));
    }

    @Descriptor("remove a program from every node; its libraries are unloaded and its files deleted")
    public void uninstall(CommandSession session,
            @Descriptor("seconds to wait for the nodes") @Parameter(names = "--timeout", absentValue = "10") long timeout,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the program's name") String name) throws ProgramException, JsonProcessingException {
        ProgramView v = master.programs().uninstall(name, timeout(timeout));
        if (json || wantsJson(session)) {
            System.out.println(JSON.writeValueAsString(summary(v, false)));
            return;
        }
        System.out.println(v.program().name() + " " + v.program().version() + ": uninstalled");
        Table table = new Table("NODE", "NAME", "STATE", "DETAIL");
        table.row("master", "master", v.master().state().text(), dash(v.master().detail()));
        v.nodes().forEach(n -> table.row(n.nodeId(), n.name(), n.state().text(), dash(n.detail())));
        System.out.print(table);
        long removed = v.nodes().stream().filter(n -> n.state() == ProgramState.REMOVED).count();
        System.out.println(removed + " of " + v.nodes().size() + " slave" + (v.nodes().size() == 1 ? "" : "s")
                + " removed it" + (removed < v.nodes().size() ? "; the others will when they return" : ""));
    }

    @Descriptor("list the programs: name, version, desired state, slaves at that state / slaves selected")
    public void apps(CommandSession session,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json) throws JsonProcessingException {
        List<ProgramView> views = master.programs().apps();
        if (json || wantsJson(session)) {
            System.out.println(JSON.writeValueAsString(views.stream().map(v -> summary(v, false)).toList()));
            return;
        }
        Table table = new Table("NAME", "VERSION", "DESIRED", "NODES", "MASTER");
        for (ProgramView v : views) {
            table.row(v.program().name(), v.program().version(), v.program().state().text(),
                    v.atDesired() + "/" + v.nodes().size(), v.master().state().text());
        }
        System.out.print(table);
        System.out.println(views.size() + " program" + (views.size() == 1 ? "" : "s"));
    }

    @Descriptor("show one program: its manifest, privileges, and each node's state and last error")
    public void app(CommandSession session,
            @Descriptor("print JSON") @Parameter(names = "--json", presentValue = "true", absentValue = "false")
            boolean json,
            @Descriptor("the program's name") String name) throws ProgramException, JsonProcessingException {
        ProgramView v = master.programs().app(name);
        if (json || wantsJson(session)) {
            System.out.println(JSON.writeValueAsString(summary(v, true)));
            return;
        }
        JamManifest m = v.manifest();
        System.out.println("name        " + v.program().name());
        System.out.println("version     " + v.program().version());
        if (m != null && m.description() != null && !m.description().isBlank()) {
            System.out.println("description " + m.description());
        }
        System.out.println("desired     " + v.program().state());
        System.out.println("bundle      jam." + v.program().name() + ", " + v.program().size() + " bytes, sha256 "
                + v.program().sha256());
        if (!v.program().source().isEmpty()) {
            System.out.println("source      " + v.program().source());
        }
        if (m != null) {
            System.out.println("master      " + (m.master() == null ? "-" : m.master().main()));
            if (m.nativeCode() != null) {
                System.out.println("libraries   " + String.join(", ", m.nativeCode().libraries().stream()
                        .map(l -> l.os() + "/" + l.arch()).toList()));
                System.out.println("functions   " + signatures(m.nativeCode().functions()));
            }
            if (m.master() != null && !m.master().exports().isEmpty()) {
                System.out.println("exports     " + signatures(m.master().exports()));
            }
            System.out.println("privileges  " + (m.privileges().isEmpty() ? "-" : String.join(", ", m.privileges())));
            System.out.println("placement   " + (m.placement() == null || m.placement().labels().isEmpty() ? "all slaves"
                    : m.placement().labels().toString()));
        }
        System.out.println("granted     " + (v.program().grants().isEmpty() ? "-"
                : String.join(", ", v.program().grants())));
        printNodes(v);
    }

    private static String signatures(List<JamManifest.Function> functions) {
        return String.join(", ", functions.stream()
                .map(f -> f.returns() + " " + f.name() + "(" + String.join(", ", f.params()) + ")").toList());
    }

    private static void print(CommandSession session, boolean json, ProgramView v)
            throws JsonProcessingException {
        if (json || wantsJson(session)) {
            System.out.println(JSON.writeValueAsString(summary(v, false)));
            return;
        }
        System.out.println(v.program().name() + " " + v.program().version() + ": desired " + v.program().state());
        printNodes(v);
    }

    private static void printNodes(ProgramView v) {
        Table table = new Table("NODE", "NAME", "STATE", "DETAIL");
        table.row("master", "master", v.master().state().text(), dash(v.master().detail()));
        for (NodeState n : v.nodes()) {
            table.row(n.nodeId(), n.name(), n.state().text(), dash(n.detail()));
        }
        System.out.print(table);
        System.out.println(v.atDesired() + " of " + v.nodes().size() + " selected slave"
                + (v.nodes().size() == 1 ? "" : "s") + " at the desired state");
    }

    private static Map<String, Object> summary(ProgramView v, boolean details) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", v.program().name());
        out.put("version", v.program().version());
        out.put("desired", v.program().state().text());
        out.put("atDesired", v.atDesired());
        out.put("selected", v.nodes().size());
        out.put("master", nodeJson(v.master()));
        out.put("nodes", v.nodes().stream().map(ProgramCommands::nodeJson).toList());
        if (details) {
            out.put("sha256", v.program().sha256());
            out.put("size", v.program().size());
            out.put("source", v.program().source());
            out.put("grants", v.program().grants());
            out.put("privileges", v.manifest() == null ? List.of() : v.manifest().privileges());
            out.put("manifest", v.manifest());
        }
        return out;
    }

    private static Map<String, Object> nodeJson(NodeState n) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", n.nodeId());
        out.put("name", n.name());
        out.put("state", n.state().text());
        out.put("detail", n.detail());
        return out;
    }

    private static List<String> grants(String grant) {
        return grant.isBlank() ? List.of()
                : Arrays.stream(grant.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    private static Duration timeout(long seconds) throws ProgramException {
        if (seconds < 0 || seconds > 3600) {
            throw new ProgramException("--timeout wants seconds between 0 and 3600, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : printable(s);
    }

    /** Text from a node, fit for a terminal: no control characters, one line. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    private static boolean wantsJson(CommandSession session) {
        return Boolean.TRUE.equals(session.get(AdminShell.JSON_VARIABLE));
    }
}
