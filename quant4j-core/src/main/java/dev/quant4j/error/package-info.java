/**
 * The typed errors of quant4j. Every failure a user can cause (a bad file, config or argument)
 * surfaces as a {@link dev.quant4j.error.Quant4jException} that names the file and the tensor or
 * key, with the expected and actual values, so the command line can print one line and no stack
 * trace. Depends on nothing but the JDK.
 */
package dev.quant4j.error;
