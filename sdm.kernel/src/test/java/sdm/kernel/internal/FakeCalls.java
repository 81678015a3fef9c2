package sdm.kernel.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.ProgramCalls;

/** The slaves' native functions as the kernel sees them: each call is kept with a result the test settles. */
final class FakeCalls implements ProgramCalls {

    record Call(String program, String function, List<Object> args, List<String> nodes, Duration timeout,
            Duration ttl, CompletableFuture<Map<String, CallResult>> result) {
    }

    final BlockingQueue<Call> made = new LinkedBlockingQueue<>();
    /** Functions whose calls are refused at once, with their lines. */
    final Map<String, String> refusals = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Map<String, CallResult>> call(String program, String function, List<?> args,
            Set<String> nodes, Duration timeout, Duration ttl) throws CallException {
        String refusal = refusals.get(function);
        if (refusal != null) {
            throw new CallException(refusal);
        }
        Call c = new Call(program, function, new ArrayList<>(args), List.copyOf(nodes), timeout, ttl,
                new CompletableFuture<>());
        made.add(c);
        return c.result();
    }
}
