package sdm.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Calls the native functions of programs on their slaves. Registered on the master; the shell's
 * {@code sdm:call} and the programs' JavaScript ({@code sdm.call}) both use it.
 * <p>
 * Nothing blocks: the future completes once every node called has answered or the timeout has
 * passed, with one {@link CallResult} per node. A node that is offline, or where the program is
 * not active, gets an error at once and is never waited for.
 */
@ProviderType
public interface ProgramCalls {

    /**
     * Calls {@code function} of {@code program} with {@code args}, converted by its declared
     * types (numbers, booleans, strings, or text that parses as the type).
     *
     * @param nodes   the node ids to call; empty for every slave the program is placed on
     * @param timeout how long to wait for the nodes' answers
     * @return one result per node, by node id, in node order
     * @throws CallException at once, with one line, if the call cannot be made at all: an
     *                       unknown program or function, a wrong argument count or type, a
     *                       program that is not started, a node it is not placed on
     */
    default CompletableFuture<Map<String, CallResult>> call(String program, String function, List<?> args,
            Set<String> nodes, Duration timeout) throws CallException {
        return call(program, function, args, nodes, timeout, timeout);
    }

    /**
     * As {@link #call(String, String, List, Set, Duration)}, with a time to live: a node that gets
     * the call more than {@code ttl} after it was made (it was frozen, cut off, or busy) never
     * runs it, and answers nothing; the caller still waits at most {@code timeout}.
     *
     * @param ttl how long the call is worth running, at most {@code timeout}
     */
    CompletableFuture<Map<String, CallResult>> call(String program, String function, List<?> args,
            Set<String> nodes, Duration timeout, Duration ttl) throws CallException;
}
