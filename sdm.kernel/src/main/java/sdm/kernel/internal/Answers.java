package sdm.kernel.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How system calls answer the prelude: {@code "ok:JSON"} (or {@code "ok:"} for nothing), or
 * {@code "error:KIND:MESSAGE"}, which the prelude throws as a JavaScript error of that kind.
 */
final class Answers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {
    }

    static String ok(Object value) {
        try {
            return "ok:" + (value == null ? "" : JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            return error("Error", "cannot encode the answer: " + e.getOriginalMessage());
        }
    }

    static String error(String kind, String message) {
        return "error:" + kind + ":" + message;
    }
}
