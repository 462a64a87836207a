package dev.quant4j.cli;

/** Entry point of the {@code quant4j} launcher. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Quant4jCommand.execute(args));
  }
}
