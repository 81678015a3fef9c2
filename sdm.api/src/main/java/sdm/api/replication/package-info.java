/**
 * The masters' replicated log: what the masters of one machine agree on, in one order, before
 * any of them acts on it. A master that keeps state hands each change to the {@link
 * ReplicatedLog} and applies it when it comes back through its {@link ReplicatedState}, on every
 * master alike.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package sdm.api.replication;
