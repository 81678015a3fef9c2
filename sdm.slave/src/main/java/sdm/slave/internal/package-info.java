/** The slave agent's implementation: nothing here is exported. */
package sdm.slave.internal;
