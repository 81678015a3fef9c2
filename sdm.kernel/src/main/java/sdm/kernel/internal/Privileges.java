package sdm.kernel.internal;

import java.util.Map;
import java.util.Set;

/**
 * Which system calls need which privilege. A call not in the table needs none; adding a
 * privileged call is one line here, and every call passes {@link #check} before it acts.
 */
final class Privileges {

    static final String PROGRAMS_CONTROL = "programs.control";

    private static final Map<String, String> REQUIRED = Map.of(
            "programs.install", PROGRAMS_CONTROL,
            "programs.start", PROGRAMS_CONTROL,
            "programs.stop", PROGRAMS_CONTROL,
            "programs.uninstall", PROGRAMS_CONTROL);

    private final Set<String> granted;

    /** @param granted the program's privileges: its manifest's, all granted at install */
    Privileges(Set<String> granted) {
        this.granted = Set.copyOf(granted);
    }

    boolean holds(String privilege) {
        return granted.contains(privilege);
    }

    /** The privilege {@code call} lacks, or null if the program may make it. */
    String missing(String call) {
        String needed = REQUIRED.get(call);
        return needed == null || granted.contains(needed) ? null : needed;
    }
}
