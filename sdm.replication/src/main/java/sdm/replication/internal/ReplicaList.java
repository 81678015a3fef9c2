package sdm.replication.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The masters of a replicated machine as every one of them is started: {@code A,B,C}, each the
 * {@code HOST:PORT} of a master's slaves' endpoint, whose consensus endpoint is the next port.
 * Replica ids follow the list's order ({@code m1}, {@code m2}...), so every master names the
 * others alike.
 *
 * @param self      this master's replica id
 * @param consensus each replica's consensus {@code HOST:PORT}, by id, in order
 * @param endpoints each replica's slaves' endpoint {@code HOST:PORT}, by id, in order
 */
record ReplicaList(String self, Map<String, String> consensus, Map<String, String> endpoints) {

    /**
     * Parses {@code list} for the master that binds {@code bind}.
     *
     * @throws IllegalArgumentException with one line naming what is wrong
     */
    static ReplicaList parse(String list, String bind) {
        Map<String, String> consensus = new LinkedHashMap<>();
        Map<String, String> endpoints = new LinkedHashMap<>();
        String self = null;
        String[] items = list.split(",");
        if (items.length < 3 || items.length % 2 == 0) {
            throw new IllegalArgumentException("--replicas needs an odd number of masters, 3 at least, not "
                    + items.length + " (" + list + ")");
        }
        for (int i = 0; i < items.length; i++) {
            String address = items[i].strip();
            int colon = address.lastIndexOf(':');
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65534) {
                throw new IllegalArgumentException("replica '" + address + "' is not HOST:PORT with a port of 1 to 65534 "
                        + "(its consensus port is the next one)");
            }
            if (endpoints.containsValue(address)) {
                throw new IllegalArgumentException("replica " + address + " is listed twice");
            }
            String id = "m" + (i + 1);
            endpoints.put(id, address);
            consensus.put(id, address.substring(0, colon) + ":" + (port + 1));
            if (address.equals(bind)) {
                self = id;
            }
        }
        if (self == null) {
            throw new IllegalArgumentException("this master binds " + bind + ", which is not among the replicas " + list
                    + " (start each master with --bind set to its own entry)");
        }
        return new ReplicaList(self, consensus, endpoints);
    }
}
