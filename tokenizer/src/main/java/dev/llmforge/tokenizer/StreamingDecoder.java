package dev.llmforge.tokenizer;

/**
 * Turns token ids into text one id at a time, as a model generates them. Bytes of a character that is split
 * across ids are held back until the character is complete, so the concatenation of everything returned by
 * {@link #push(int)} and {@link #finish()} equals {@link Tokenizer#decode(int[])} of all the ids. Not thread-safe.
 */
public interface StreamingDecoder {
    /**
     * Adds one id and returns the text that became complete (possibly empty).
     *
     * @throws IllegalArgumentException if {@code id} is not in the vocabulary
     */
    String push(int id);

    /** Returns what is still held back (an incomplete UTF-8 sequence decodes to U+FFFD) and resets the decoder. */
    String finish();
}
