package sdm.master.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Updates under way: while one runs, the slaves it has not moved yet keep the old version. */
final class Rollouts {

    /** One update: the version replaced, and the nodes already sent the new one. */
    record Rollout(ProgramStore.Program old, Set<String> updated) {
    }

    private final Map<String, Rollout> byName = new ConcurrentHashMap<>();

    Rollout begin(ProgramStore.Program old) {
        Rollout r = new Rollout(old, ConcurrentHashMap.newKeySet());
        byName.put(old.name(), r);
        return r;
    }

    void end(String name) {
        byName.remove(name);
    }

    /** The version of a program that a node is to run now, given the program's latest. */
    ProgramStore.Program versionFor(ProgramStore.Program latest, String nodeId) {
        Rollout r = byName.get(latest.name());
        return r == null || r.updated().contains(nodeId) ? latest : r.old();
    }

    /** The bundles that updates under way still send to slaves not moved yet. */
    Set<String> oldBundles() {
        return byName.values().stream().map(r -> r.old().sha256()).collect(Collectors.toSet());
    }
}
