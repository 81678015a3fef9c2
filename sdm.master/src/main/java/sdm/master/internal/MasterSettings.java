package sdm.master.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;

/**
 * The master's settings, read from framework properties set by the launcher:
 * {@code sdm.data}, {@code sdm.master.bind} (host:port), {@code sdm.heartbeat.ms},
 * {@code sdm.liveness.ms}, {@code sdm.message.max.bytes}.
 */
record MasterSettings(Path data, String host, int port, long heartbeatMs, long livenessMs, int maxMessageBytes) {

    static MasterSettings from(BundleContext context) {
        String data = prop(context, "sdm.data", "sdm-data/master");
        String bind = prop(context, "sdm.master.bind", "0.0.0.0:7700");
        int colon = bind.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("sdm.master.bind must be HOST:PORT, got '" + bind + "'");
        }
        return new MasterSettings(Path.of(data).toAbsolutePath(), bind.substring(0, colon),
                Integer.parseInt(bind.substring(colon + 1)),
                Long.parseLong(prop(context, "sdm.heartbeat.ms", "1000")),
                Long.parseLong(prop(context, "sdm.liveness.ms", "3000")),
                Integer.parseInt(prop(context, "sdm.message.max.bytes", String.valueOf(1 << 20))));
    }

    private static String prop(BundleContext context, String key, String fallback) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
