package dev.quant4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code quant4j} command: dispatches to the subcommands of CLI.md. */
@Command(
    name = "quant4j",
    mixinStandardHelpOptions = true,
    version = "quant4j 0.1.0",
    description = "Run quantized Hugging Face models on the JVM.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Quant4jCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and returns the exit code of CLI.md (0 done, 1 bad input, 2 usage). */
  static int execute(String[] args) {
    return execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Quant4jCommand());
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }
}
