package dev.quant4j.cli;

import dev.quant4j.error.Quant4jException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level {@code quant4j} command: dispatches to the subcommands of CLI.md, and turns every
 * failure into the contract's exit codes (0 done, 1 bad input, 2 wrong usage) with one line on
 * stderr and no stack trace unless {@code --debug} is given.
 */
@Command(
    name = "quant4j",
    mixinStandardHelpOptions = true,
    version = "quant4j 0.1.0",
    description = "Run quantized Hugging Face models on the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      RunCommand.class,
      GenerateCommand.class,
      LogitsCommand.class,
      PerplexityCommand.class,
      QuantizeCommand.class,
      InspectCommand.class,
      TokenizeCommand.class,
      ConfigCommand.class,
      PresetsCommand.class,
      BenchCommand.class,
    })
public final class Quant4jCommand implements Runnable {
  /** Exit code of CLI.md for bad input: an unreadable or invalid file, config or model. */
  static final int EXIT_BAD_INPUT = 1;

  /** Exit code of CLI.md for wrong usage. */
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--debug",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Show stack traces of errors.")
  boolean debug;

  @CommandLine.Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Say on stderr which kernel backend runs, and why.")
  boolean verbose;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and returns the exit code of CLI.md (0 done, 1 bad input, 2 usage). */
  static int execute(String[] args) {
    return execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    Quant4jCommand root = new Quant4jCommand();
    CommandLine cl = new CommandLine(root);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionStrategy(
        parseResult -> {
          if (root.verbose) {
            var selection = dev.quant4j.kernels.Kernels.selection();
            cl.getErr()
                .println("quant4j: kernels " + selection.name() + " (" + selection.reason() + ")");
            cl.getErr().flush();
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cl.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_BAD_INPUT);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter e = ex.getCommandLine().getErr();
          e.println("quant4j: " + ex.getMessage());
          e.println(
              "Try '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for usage.");
          e.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter e = commandLine.getErr();
          e.println("quant4j: " + describe(ex));
          if (root.debug) {
            ex.printStackTrace(e);
          }
          e.flush();
          return ex instanceof UsageException ? EXIT_USAGE : EXIT_BAD_INPUT;
        });
    return cl.execute(args);
  }

  private static String describe(Throwable ex) {
    return switch (ex) {
      case Quant4jException q -> q.userMessage();
      case UsageException u -> u.getMessage();
      case OutOfMemoryError o ->
          "out of memory ("
              + o.getMessage()
              + "); give the JVM more with QUANT4J_JAVA_OPTS=-Xmx...";
      default -> "internal error: " + ex + " (rerun with --debug for the stack trace)";
    };
  }
}
