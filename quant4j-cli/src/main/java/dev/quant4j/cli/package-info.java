/**
 * The picocli command line of CLI.md. The only module that prints to stdout or knows about picocli;
 * turns every quant4j error into one line on stderr and an exit code.
 */
package dev.quant4j.cli;
