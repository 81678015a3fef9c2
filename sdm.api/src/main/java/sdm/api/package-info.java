/**
 * The public API of SDM: services any bundle of a node may use, and the records they return.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.9.0")
package sdm.api;
