package sdm.master.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import sdm.api.CallException;
import sdm.api.CallResult;
import sdm.api.ProgramCalls;

/** {@link ProgramCalls} on the master: the native calls of the running master node. */
@Component(service = ProgramCalls.class)
public final class ProgramCallsService implements ProgramCalls {

    @Reference
    private MasterNode master;

    @Override
    public CompletableFuture<Map<String, CallResult>> call(String program, String function, List<?> args,
            Set<String> nodes, Duration timeout, Duration ttl) throws CallException {
        return master.calls().call(program, function, args, nodes, timeout, ttl);
    }
}
