package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.SpecialTokenPolicy;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.Arrays;

/** Accumulates the parts of a rendered conversation, encoding each one separately. */
final class ChatEncodingBuilder {
    private final Tokenizer tokenizer;
    private final StringBuilder text = new StringBuilder();
    private int[] ids = new int[64];
    private boolean[] mask = new boolean[64];
    private int size;

    ChatEncodingBuilder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Appends text, encoded with special-token text treated as plain text. */
    void text(String part, boolean assistant) {
        text.append(part);
        for (int id : tokenizer.encode(part, SpecialTokenPolicy.PLAIN_TEXT)) {
            add(id, assistant);
        }
    }

    /**
     * Checks that the tokenizer has the special token {@code token}, which {@code template} needs.
     *
     * @throws IllegalArgumentException naming the template, the token and the special tokens there are
     */
    void requireSpecial(String token, String template) {
        if (!tokenizer.specialTokens().contains(token)) {
            throw new IllegalArgumentException(String.format("%s closes every assistant turn with the special token "
                    + "%s, which this tokenizer does not have (its special tokens are %s); add it, e.g. with "
                    + "BpeTokenizer.withAddedSpecialTokens or CharTokenizer.fromCorpus(corpus, specialTokens)",
                    template, token, tokenizer.specialTokens().asMap().keySet()));
        }
    }

    /** Appends the special token {@code token}. */
    void special(String token, boolean assistant) {
        text.append(token);
        add(tokenizer.specialTokens().requireId(token), assistant);
    }

    ChatEncoding build() {
        return new ChatEncoding(text.toString(), Arrays.copyOf(ids, size), Arrays.copyOf(mask, size));
    }

    private void add(int id, boolean assistant) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            mask = Arrays.copyOf(mask, size * 2);
        }
        ids[size] = id;
        mask[size++] = assistant;
    }
}
