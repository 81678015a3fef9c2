/**
 * What every node of SDM keeps on its own machine, whatever its role: its data folder and the
 * names of the files and framework properties in it ({@link NodeFiles}, {@link NodeProperties}),
 * a clock that steps of the wall clock do not move, a log a flood cannot fill, the digest that
 * names program bundles, and the one line an error is told in.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package sdm.api.node;
