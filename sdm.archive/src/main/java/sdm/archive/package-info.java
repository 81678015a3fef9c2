/**
 * The {@code .jam.zip} program archive (docs/contract.md §2): its manifest, read strictly, and the rules a
 * program must follow before anything of it is installed.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package sdm.archive;
