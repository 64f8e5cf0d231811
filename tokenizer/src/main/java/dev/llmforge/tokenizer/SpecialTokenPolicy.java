package dev.llmforge.tokenizer;

/** What {@link Tokenizer#encode(String, SpecialTokenPolicy)} does with the text of a special token found in the input. */
public enum SpecialTokenPolicy {
    /**
     * Encode it like any other text (the default): user input can then never produce a control token such as
     * {@code <|endoftext|>} or {@code <|im_end|>}.
     */
    PLAIN_TEXT,
    /** Encode it as the special token's id: for trusted text such as documents joined with {@code <|endoftext|>}. */
    SPECIAL,
    /** Throw an {@link IllegalArgumentException} naming the token and its position. */
    REJECT
}
