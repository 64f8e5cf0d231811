package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * One prompt and its preference pairs: one pair for a {@code {"prompt", "chosen", "rejected"}} record, every
 * ordered pair of a ranked list otherwise. A trainer keeps a group's pairs in one batch, as InstructGPT does with
 * the K(K−1)/2 comparisons of one prompt (they are strongly correlated; spread over batches they overfit).
 *
 * @param prompt   the conversation so far; it does not end with an assistant message
 * @param pairs    at least one pair
 * @param location the file and line the group was read from
 */
public record PreferenceGroup(List<ChatMessage> prompt, List<PreferencePair> pairs, RecordLocation location) {
    public PreferenceGroup {
        prompt = List.copyOf(prompt);
        pairs = List.copyOf(pairs);
        Objects.requireNonNull(location, "location");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("expected a prompt, found no messages");
        }
        String blank = Conversations.blankMessage(prompt);
        if (blank != null) {
            throw new IllegalArgumentException("in the prompt: " + blank);
        }
        if (ChatMessage.ASSISTANT.equals(prompt.get(prompt.size() - 1).role())) {
            throw new IllegalArgumentException("expected the prompt to end with a user or system message (the "
                    + "responses answer it), found an assistant message last");
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("expected at least one preference pair, found none");
        }
    }
}
