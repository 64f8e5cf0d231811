package dev.llmforge.tokenizer.chat;

/**
 * A rendered conversation: its text, its token ids, and for each id whether it belongs to an assistant turn
 * (the tokens supervised fine-tuning trains on). The ids are the concatenation of the encodings of the
 * template's parts, so {@code tokenizer.decode(ids)} equals {@code text}, while {@code tokenizer.encode(text)}
 * may cut a boundary between parts differently. The arrays are not copied: do not modify them.
 *
 * @param text          the conversation as text
 * @param ids           its token ids
 * @param assistantMask {@code assistantMask[i]} is true if {@code ids[i]} is part of an assistant turn
 */
public record ChatEncoding(String text, int[] ids, boolean[] assistantMask) {
    public ChatEncoding {
        if (ids.length != assistantMask.length) {
            throw new IllegalArgumentException(String.format(
                    "ids and assistantMask must have the same length, found %d and %d", ids.length,
                    assistantMask.length));
        }
    }

    /** Number of ids in assistant turns. */
    public int assistantTokenCount() {
        int count = 0;
        for (boolean assistant : assistantMask) {
            if (assistant) {
                count++;
            }
        }
        return count;
    }
}
