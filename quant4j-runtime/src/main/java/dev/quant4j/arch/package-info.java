/**
 * What every architecture offers the rest of the runtime: a causal language model that opens
 * inference sessions, and the provider interface through which architectures are found by their
 * {@code architectures} name with {@link java.util.ServiceLoader}. Depends on core only.
 */
package dev.quant4j.arch;
