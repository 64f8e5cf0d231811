package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Two responses to one prompt, the preferred one first. A response is usually one assistant message; it may be
 * several turns (it then starts and ends with an assistant message).
 *
 * @param chosen   the preferred response
 * @param rejected the other response
 * @param margin   how much more {@code chosen} is preferred, when the source says (the reward model's loss
 *                 {@code -log σ(r_chosen − r_rejected − margin)})
 */
public record PreferencePair(List<ChatMessage> chosen, List<ChatMessage> rejected, OptionalDouble margin) {
    public PreferencePair {
        chosen = List.copyOf(chosen);
        rejected = List.copyOf(rejected);
        Objects.requireNonNull(margin, "margin");
        checkResponse(chosen, "chosen");
        checkResponse(rejected, "rejected");
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException("expected chosen and rejected to differ, found the same response twice");
        }
    }

    private static void checkResponse(List<ChatMessage> response, String name) {
        if (response.isEmpty()) {
            throw new IllegalArgumentException("expected the " + name + " response to have a message, found none");
        }
        String blank = Conversations.blankMessage(response);
        if (blank != null) {
            throw new IllegalArgumentException("in the " + name + " response: " + blank);
        }
        String first = response.get(0).role();
        String last = response.get(response.size() - 1).role();
        if (!ChatMessage.ASSISTANT.equals(first) || !ChatMessage.ASSISTANT.equals(last)) {
            throw new IllegalArgumentException("expected the " + name + " response to start and end with an "
                    + "assistant message, found roles " + response.stream().map(ChatMessage::role).toList());
        }
    }
}
