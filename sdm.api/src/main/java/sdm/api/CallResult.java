package sdm.api;

/**
 * One node's answer to a native call: its value ({@code Integer}, {@code Long}, {@code Double},
 * {@code Boolean}, {@code String}, or null for {@code void}), or the error that stopped it.
 *
 * @param nodeId the node called
 * @param ok     whether the function ran and returned
 * @param value  what it returned, when ok
 * @param error  one line, when not ok
 */
public record CallResult(String nodeId, boolean ok, Object value, String error) {

    public static CallResult success(String nodeId, Object value) {
        return new CallResult(nodeId, true, value, "");
    }

    public static CallResult failure(String nodeId, String error) {
        return new CallResult(nodeId, false, null, error);
    }
}
