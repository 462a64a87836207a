/** JMH micro-benchmarks of the kernels, scalar against Panama. Not deployed. */
package dev.quant4j.bench;
