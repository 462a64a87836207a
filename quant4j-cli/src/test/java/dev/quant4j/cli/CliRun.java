package dev.quant4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the command line as a script sees it: exit code, stdout and stderr.
 *
 * @param exit the exit code of CLI.md (0 done, 1 bad input, 2 usage)
 */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Quant4jCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new CliRun(exit, out.toString(), err.toString());
  }
}
