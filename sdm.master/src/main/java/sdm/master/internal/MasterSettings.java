package sdm.master.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;

import sdm.api.node.NodeFiles;
import sdm.api.node.NodeProperties;
import sdm.archive.ArchiveLimits;
import sdm.transport.zmq.PeerLimits;

/**
 * The master's settings, read from framework properties set by the launcher:
 * {@code sdm.data}, {@code sdm.master.bind} (host:port), {@code sdm.heartbeat.ms},
 * {@code sdm.liveness.ms}, {@code sdm.message.max.bytes}, the archive limits
 * {@code sdm.archive.max.bytes}, {@code sdm.archive.max.unpacked.bytes},
 * {@code sdm.archive.max.entries}, the deploy folder {@code felix.fileinstall.dir}, and what peers
 * may hold of the master: {@code sdm.max.peers}, {@code sdm.max.handshakes}, {@code sdm.handshake.ms},
 * {@code sdm.peer.silence.ms}, {@code sdm.max.enrollments.per.s}, {@code sdm.max.registrations.per.s}
 * and {@code sdm.forget.offline.ms}.
 */
record MasterSettings(Path data, String host, int port, long heartbeatMs, long livenessMs, int maxMessageBytes,
        ArchiveLimits limits, Path deployDir, PeerLimits peers, double enrollmentsPerSecond, double registrationsPerSecond,
        long forgetOfflineMs) {

    static final long FORGET_OFFLINE_MS = 7L * 24 * 3600 * 1000;

    static MasterSettings from(BundleContext context) {
        String data = prop(context, NodeProperties.DATA, NodeFiles.DEFAULT_MASTER_DATA);
        String bind = prop(context, NodeProperties.MASTER_BIND, "0.0.0.0:7700");
        int colon = bind.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("sdm.master.bind must be HOST:PORT, got '" + bind + "'");
        }
        return new MasterSettings(Path.of(data).toAbsolutePath(), bind.substring(0, colon),
                Integer.parseInt(bind.substring(colon + 1)),
                Long.parseLong(prop(context, NodeProperties.HEARTBEAT_MS, "1000")),
                Long.parseLong(prop(context, NodeProperties.LIVENESS_MS, "3000")),
                Integer.parseInt(prop(context, "sdm.message.max.bytes", String.valueOf(1 << 20))),
                limits(context),
                context.getProperty("felix.fileinstall.dir") == null ? null
                        : Path.of(context.getProperty("felix.fileinstall.dir")).toAbsolutePath(),
                peers(context), Double.parseDouble(prop(context, "sdm.max.enrollments.per.s", "10")),
                Double.parseDouble(prop(context, "sdm.max.registrations.per.s", "1000")),
                positive("sdm.forget.offline.ms", Long.parseLong(prop(context, "sdm.forget.offline.ms",
                        "" + FORGET_OFFLINE_MS))));
    }

    private static PeerLimits peers(BundleContext context) {
        PeerLimits d = PeerLimits.DEFAULTS;
        return new PeerLimits(Integer.parseInt(prop(context, "sdm.max.peers", "" + d.maxPeers())),
                Integer.parseInt(prop(context, "sdm.max.handshakes", "" + d.maxHandshakes())),
                Long.parseLong(prop(context, "sdm.handshake.ms", "" + d.handshakeMs())),
                Long.parseLong(prop(context, "sdm.peer.silence.ms", "" + d.silenceMs())));
    }

    private static long positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }

    private static ArchiveLimits limits(BundleContext context) {
        ArchiveLimits d = ArchiveLimits.defaults();
        return new ArchiveLimits(Long.parseLong(prop(context, "sdm.archive.max.bytes", "" + d.maxArchiveBytes())),
                Long.parseLong(prop(context, "sdm.archive.max.unpacked.bytes", "" + d.maxUnpackedBytes())),
                Integer.parseInt(prop(context, "sdm.archive.max.entries", "" + d.maxEntries())),
                d.maxRatio(), d.ratioFloorBytes());
    }

    private static String prop(BundleContext context, String key, String fallback) {
        String v = context.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
