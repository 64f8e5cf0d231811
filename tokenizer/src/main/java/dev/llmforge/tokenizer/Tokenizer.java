package dev.llmforge.tokenizer;

/**
 * Text ↔ token ids. Implementations are immutable and thread-safe.
 *
 * @see CharTokenizer
 * @see BpeTokenizer
 */
public interface Tokenizer {
    /** Encodes {@code text}, treating the text of special tokens as plain text. */
    default int[] encode(String text) {
        return encode(text, SpecialTokenPolicy.PLAIN_TEXT);
    }

    /**
     * Encodes {@code text}, handling special-token text as {@code policy} says.
     *
     * @throws IllegalArgumentException if the policy is {@link SpecialTokenPolicy#REJECT} and the text holds a
     *                                  special token, or if the tokenizer cannot represent a character
     */
    int[] encode(String text, SpecialTokenPolicy policy);

    /**
     * Decodes ids to text. Byte-level tokenizers decode the concatenated bytes as UTF-8, with U+FFFD for
     * each malformed sequence.
     *
     * @throws IllegalArgumentException naming the first id that is not in the vocabulary
     */
    String decode(int[] ids);

    /** A new decoder for ids that arrive one at a time. */
    StreamingDecoder newDecoder();

    /** One more than the largest id (ids below it may be unassigned, e.g. gaps before special tokens). */
    int vocabSize();

    SpecialTokens specialTokens();
}
