/**
 * Test helpers shared by the methods' tests: tensors by name for loading weights without a model
 * around them. Depends on core and its test helpers only.
 */
package dev.quant4j.quantizers.testing;
