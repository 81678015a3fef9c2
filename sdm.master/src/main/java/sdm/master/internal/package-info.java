/** The master's implementation: nothing here is exported. */
package sdm.master.internal;
