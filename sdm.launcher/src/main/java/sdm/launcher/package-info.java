/** The SDM launcher: parses the command line, starts Felix with the bundles of a role. */
package sdm.launcher;
