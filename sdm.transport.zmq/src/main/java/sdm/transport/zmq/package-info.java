/**
 * The JeroMQ transport of SDM: one CURVE-secured ROUTER on the master ({@link MasterEndpoint}),
 * one DEALER per slave ({@link SlaveLink}) and per admin client ({@link AdminClient}), typed
 * messages ({@link Message}) encoded by {@link MessageCodec}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package sdm.transport.zmq;
