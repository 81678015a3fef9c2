package sdm.kernel.internal;

import static sdm.kernel.internal.Answers.error;
import static sdm.kernel.internal.Answers.ok;

import java.io.IOException;

/**
 * The {@code sdm.store} system calls: the program's persistent variables, its store opened at
 * the first use. On the program's loop, through {@link SystemCalls}.
 */
final class StoreCalls {

    private final JsProgram program;
    private VariableStore store;

    StoreCalls(JsProgram program) {
        this.program = program;
    }

    String get(String key) {
        try {
            String v = store().get(key);
            return v == null ? "ok:" : "ok:" + v;
        } catch (IOException e) {
            return error("Error", e.getMessage());
        }
    }

    String set(String key, String json) {
        try {
            store().set(key, json);
            return ok(null);
        } catch (IllegalArgumentException e) {
            return error("RangeError", e.getMessage());
        } catch (IOException e) {
            return error("Error", "cannot save the store: " + e.getMessage());
        }
    }

    String remove(String key) {
        try {
            store().remove(key);
            return ok(null);
        } catch (IOException e) {
            return error("Error", "cannot save the store: " + e.getMessage());
        }
    }

    String keys() {
        try {
            return ok(store().keys());
        } catch (IOException e) {
            return error("Error", e.getMessage());
        }
    }

    private VariableStore store() throws IOException {
        if (store == null) {
            store = program.openStore();
        }
        return store;
    }
}
