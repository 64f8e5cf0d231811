package dev.llmforge.generate;

/** Turns token ids into text (a tokenizer's decode), for stop strings and result text. */
@FunctionalInterface
public interface TokenDecoder {
    String decode(int[] ids);
}
