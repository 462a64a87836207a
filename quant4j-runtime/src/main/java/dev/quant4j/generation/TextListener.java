package dev.quant4j.generation;

/** Receives generated text as it becomes complete (whole UTF-8 characters), for streaming. */
@FunctionalInterface
public interface TextListener {
  TextListener NONE = text -> {};

  void onText(String text);
}
