package sdm.master.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import sdm.api.node.ErrorLine;
import sdm.transport.zmq.Message;

/**
 * Runs the shell commands that admin clients send, in a Gogo session of their own, off the
 * endpoint's thread, and returns what they printed (or their error in one line). Only the
 * commands that {@link RemoteCommands} allows run; anything else is refused in one line.
 */
@Component(immediate = true, service = {})
public final class AdminShell {

    /** Session variable that asks commands for JSON output ({@code bin/sdm client --json}). */
    static final String JSON_VARIABLE = "sdm.json";

    private static final Logger LOG = Logger.getLogger("sdm.master");

    @Reference
    private CommandProcessor processor;

    /** The master whose endpoint hands this shell its requests. */
    @Reference
    private MasterNode master;
    /** How long a request waits for the sdm: commands while the master starts (or restarts them). */
    private static final long COMMANDS_WAIT_MS = 10_000;
    /** Gogo's session variable that holds the names of the commands it knows. */
    private static final String COMMANDS = ".commands";
    private static final long GOGO_POLL_MS = 10;

    /** The sdm: commands, counted as they come and go: see {@link #awaitCommands}. */
    private int commands;
    /** The names of the functions those commands declare ({@code sdm:start}, ...). */
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    private ExecutorService executor;
    /** What admin clients may run, from {@value RemoteCommands#SCOPES_PROPERTY}. */
    private RemoteCommands remote = RemoteCommands.of(null);

    @Activate
    void activate(BundleContext context) {
        remote = RemoteCommands.of(context.getProperty(RemoteCommands.SCOPES_PROPERTY));
        if (!remote.rejected().isEmpty()) {
            LOG.warning("admin: " + RemoteCommands.SCOPES_PROPERTY + " ignores " + String.join(", ", remote.rejected())
                    + ": a scope is letters, digits, '_', '.' or '-'");
        }
        if (!remote.extraScopes().isEmpty()) {
            LOG.warning("admin: remote clients may also run " + String.join(", ", remote.extraScopes().stream()
                    .map(s -> s + ":*").toList()) + " commands (" + RemoteCommands.SCOPES_PROPERTY + ")");
        }
        // a change command may wait up to its timeout: enough threads that queries still run meanwhile
        executor = Executors.newFixedThreadPool(16, Thread.ofPlatform().name("sdm-admin-", 0).daemon().factory());
        master.attach(this);
    }

    @Deactivate
    void deactivate() {
        master.detach(this);
        executor.shutdownNow();
    }

    /** Runs the request on the shell's pool; files it names as uploads are deleted once it is done. */
    void submit(Message.AdminRequest request, Uploads uploads, Consumer<Message.AdminReply> reply) {
        try {
            executor.execute(() -> {
                try {
                    reply.accept(run(withUploads(request, uploads)));
                } catch (IOException e) {
                    reply.accept(new Message.AdminReply(request.requestId(), false, "", e.getMessage()));
                } finally {
                    request.uploads().values().forEach(uploads::discard);
                }
            });
        } catch (RejectedExecutionException e) {
            reply.accept(new Message.AdminReply(request.requestId(), false, "", "the master is shutting down"));
        }
    }

    private static Message.AdminRequest withUploads(Message.AdminRequest request, Uploads uploads) throws IOException {
        if (request.uploads().isEmpty()) {
            return request;
        }
        List<String> command = new ArrayList<>(request.command());
        for (Map.Entry<Integer, String> u : request.uploads().entrySet()) {
            command.set(u.getKey(), uploads.take(u.getValue()).toString());
        }
        return new Message.AdminRequest(request.requestId(), command, request.json());
    }

    @Reference(service = MachineCommands.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    synchronized void addMachineCommands(MachineCommands c, Map<String, Object> properties) {
        declare(properties);
        commands++;
        notifyAll();
    }

    synchronized void removeMachineCommands(MachineCommands c) {
        commands--;
    }

    @Reference(service = ProgramCommands.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    synchronized void addProgramCommands(ProgramCommands c, Map<String, Object> properties) {
        declare(properties);
        commands++;
        notifyAll();
    }

    private void declare(Map<String, Object> properties) {
        Object scope = properties.get(CommandProcessor.COMMAND_SCOPE);
        if (properties.get(CommandProcessor.COMMAND_FUNCTION) instanceof String[] functions) {
            for (String f : functions) {
                declared.add((scope + ":" + f).toLowerCase(Locale.ROOT));
            }
        }
    }

    /**
     * Gogo learns of a command service from its own tracker, which may hear of it after this
     * component was bound to it: a declared command that Gogo does not know yet is waited for,
     * so that it runs or gets one clear line, never "Command not found". Anything else that
     * {@link RemoteCommands} lets through (a typo, help, an allowed extra scope) goes to Gogo as it is.
     */
    private static boolean awaitGogo(CommandSession session, String name, long deadlineNanos)
            throws InterruptedException {
        while (!(session.get(COMMANDS) instanceof Collection<?> known && known.contains(name))) {
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
            Thread.sleep(GOGO_POLL_MS);
        }
        return true;
    }

    synchronized void removeProgramCommands(ProgramCommands c) {
        commands--;
    }

    /**
     * On the shell's pool: a request that comes while the master starts, or while a configuration
     * change restarts its components, waits for the sdm: commands instead of meeting "Command not
     * found". False if they are still missing after {@link #COMMANDS_WAIT_MS}.
     */
    private synchronized boolean awaitCommands() throws InterruptedException {
        long deadline = System.nanoTime() + COMMANDS_WAIT_MS * 1_000_000;
        while (commands < 2) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private Message.AdminReply run(Message.AdminRequest request) {
        Optional<String> refused = remote.refusal(request.command());
        if (refused.isPresent()) {
            LOG.warning("admin: refused a remote request: " + refused.get());
            return new Message.AdminReply(request.requestId(), false, "", refused.get());
        }
        try {
            if (!awaitCommands()) {
                return new Message.AdminReply(request.requestId(), false, "",
                        "the master's sdm: commands are not available (see its log)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Message.AdminReply(request.requestId(), false, "", "the master is shutting down");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out)) {
            String name = request.command().get(0).toLowerCase(Locale.ROOT);
            if (declared.contains(name)
                    && !awaitGogo(session, name, System.nanoTime() + COMMANDS_WAIT_MS * 1_000_000)) {
                return new Message.AdminReply(request.requestId(), false, "",
                        "the master is starting: " + name + " is not available yet (see its log if this lasts)");
            }
            session.put(JSON_VARIABLE, request.json());
            Object result = session.execute(RemoteCommands.commandLine(request.command()));
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (text != null && !text.isEmpty()) {
                    out.println(text);
                }
            }
            out.flush();
            return new Message.AdminReply(request.requestId(), true, buffer.toString(StandardCharsets.UTF_8), "");
        } catch (Exception e) {
            out.flush();
            return new Message.AdminReply(request.requestId(), false, buffer.toString(StandardCharsets.UTF_8),
                    ErrorLine.of(e));
        }
    }
}
