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
