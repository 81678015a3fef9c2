package sdm.kernel.internal;

import static sdm.kernel.internal.Answers.error;
import static sdm.kernel.internal.Answers.ok;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.graalvm.polyglot.Value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import sdm.api.CallException;
import sdm.api.CallResult;

/**
 * The system calls that reach beyond the master's JavaScript: {@code sdm.call} (native functions
 * on the slaves) and {@code sdm.programs} (the machine's programs). Each answer comes back as a
 * turn of the program's loop; the operations a program has pending are bounded. On the
 * program's loop, through {@link SystemCalls}.
 */
final class RemoteCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_CALL_TIMEOUT_MS = TimeUnit.HOURS.toMillis(24);

    private final JsProgram program;
    private final LogVolume logVolume;
    private final AtomicInteger pending = new AtomicInteger();

    RemoteCalls(JsProgram program, LogVolume logVolume) {
        this.program = program;
        this.logVolume = logVolume;
    }

    String call(String function, String argsJson, String optionsJson, Value done) {
        List<Object> args;
        JsonNode options;
        try {
            args = JSON.readValue(argsJson, new TypeReference<List<Object>>() { });
            options = JSON.readTree(optionsJson);
        } catch (JsonProcessingException e) {
            return error("TypeError", "sdm.call wants an array of arguments and an options object");
        }
        if (!options.isObject()) {
            return error("TypeError", "sdm.call wants an array of arguments and an options object");
        }
        Set<String> nodes = new java.util.LinkedHashSet<>();
        if (options.has("nodes")) {
            if (!options.get("nodes").isArray()) {
                return error("TypeError", "options.nodes must be an array of node ids");
            }
            options.get("nodes").forEach(n -> nodes.add(n.asText()));
        }
        long timeoutMs = millis(options, "timeoutMs", 10_000);
        if (timeoutMs < 1 || timeoutMs > MAX_CALL_TIMEOUT_MS) {
            return error("RangeError", "options.timeoutMs must be between 1 and " + MAX_CALL_TIMEOUT_MS);
        }
        long ttlMs = millis(options, "ttlMs", timeoutMs);
        if (ttlMs < 1 || ttlMs > timeoutMs) {
            return error("RangeError", "options.ttlMs must be between 1 and options.timeoutMs (" + timeoutMs + ")");
        }
        if (!reservePending()) {
            return error("Error", "too many remote operations pending");
        }
        CompletableFuture<Map<String, CallResult>> result;
        try {
            result = program.kernel.calls().call(program.name, function, args, nodes, Duration.ofMillis(timeoutMs),
                    Duration.ofMillis(ttlMs));
        } catch (CallException e) {
            pending.decrementAndGet();
            return error("Error", e.getMessage());
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
        // the thread that settles the call hands the result straight to the program's loop, where it
        // is encoded and delivered as one turn; still pending until then, so that a flood of instant
        // results cannot grow the loop's queue
        String what = "the result of " + function + "()";
        result.whenCompleteAsync((byNode, failure) -> {
            pending.decrementAndGet();
            String text;
            if (failure != null) {
                text = error("Error", causeLine(failure));
            } else {
                Map<String, Object> out = new LinkedHashMap<>();
                byNode.forEach((node, r) -> out.put(node, r.ok() ? r.value() : Map.of("error", r.error())));
                text = ok(out);
            }
            done.executeVoid(text);
        }, turn -> program.post(what, turn));
        return ok(null);
    }

    String control(String action, String target, String optionsJson, Value done) {
        if (!List.of("install", "start", "stop", "uninstall").contains(action)) {
            return error("TypeError", "no such action: programs." + action);
        }
        String denied = deny("programs." + action, "programs." + action + "('" + target + "')");
        if (denied != null) {
            return denied;
        }
        List<String> options = new ArrayList<>();
        try {
            JsonNode o = JSON.readTree(optionsJson);
            if (!o.isObject()) {
                return error("TypeError", "options must be an object");
            }
            if (o.has("start") && !o.get("start").isBoolean()) {
                return error("TypeError", "options.start must be true or false");
            }
            if (o.has("grant") && !(o.get("grant").isArray() && allText(o.get("grant")))) {
                return error("TypeError", "options.grant must be an array of privilege names");
            }
            if (o.path("start").asBoolean(false)) {
                options.add("start");
            }
            for (JsonNode g : o.path("grant")) {
                // a program hands on only privileges it holds itself
                String missing = program.privileges().holds(g.asText()) ? null : g.asText();
                if (missing != null) {
                    return deniedLine("programs.install('" + target + "') with grant " + missing, missing);
                }
                options.add("grant=" + g.asText());
            }
        } catch (JsonProcessingException e) {
            return error("TypeError", "options must be an object");
        }
        if (!reservePending()) {
            return error("Error", "too many remote operations pending");
        }
        CompletableFuture<String> answer;
        try {
            answer = program.kernel.host().control(action, target, options);
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
        answer.whenComplete((summary, failure) -> {
            String text = failure == null ? ok(summary) : error("Error", causeLine(failure));
            program.post("the result of programs." + action + "()", () -> {
                pending.decrementAndGet();
                done.executeVoid(text);
            });
        });
        return ok(null);
    }

    /** A whole number of milliseconds, {@code absent} when the option is not given, -1 when it is not a number. */
    private static long millis(JsonNode options, String name, long absent) {
        if (!options.has(name)) {
            return absent;
        }
        JsonNode v = options.get(name);
        return v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) ? v.asLong() : -1;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode e : array) {
            if (!e.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** The message of what failed a future: the cause a CompletionException wraps. */
    private static String causeLine(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                ? c.getCause() : failure;
        return String.valueOf(cause.getMessage());
    }

    private boolean reservePending() {
        if (pending.incrementAndGet() > program.kernel.limits().pendingCalls()) {
            pending.decrementAndGet();
            program.fail("had more than " + program.kernel.limits().pendingCalls() + " remote operations pending");
            return false;
        }
        return true;
    }

    /** The refusal if the program lacks the privilege for {@code call}, written to the audit trail; else null. */
    private String deny(String call, String what) {
        String missing = program.privileges().missing(call);
        return missing == null ? null : deniedLine(what, missing);
    }

    /** Audits a refusal; refusals count against the program's log volume, so they cannot flood the audit log. */
    private String deniedLine(String what, String missing) {
        if (!logVolume.count()) {
            return error("Error", "log volume exceeded");
        }
        program.kernel.host().audit(program.name, "denied " + what + ": needs privilege " + missing);
        return error("PrivilegeError", what + " needs privilege " + missing + " (not granted to " + program.name + ")");
    }
}
