package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One supervised fine-tuning example: a conversation that ends with the assistant's answer, whatever file format
 * it came from. Every message has non-blank content.
 *
 * @param messages    the conversation; its last message is the assistant's
 * @param finalAnswer the answer exact-match evaluation compares with (GSM8K's {@code #### N}, a
 *                    {@code final_answer} field), when the source has one
 * @param location    the file and line it was read from
 */
public record SftRecord(List<ChatMessage> messages, Optional<String> finalAnswer, RecordLocation location) {
    public SftRecord {
        messages = List.copyOf(messages);
        Objects.requireNonNull(finalAnswer, "finalAnswer");
        Objects.requireNonNull(location, "location");
        String problem = problem(messages);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What makes {@code messages} unusable for fine-tuning, or null. */
    private static String problem(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return "expected a conversation, found no messages";
        }
        String blank = Conversations.blankMessage(messages);
        if (blank != null) {
            return blank;
        }
        ChatMessage last = messages.get(messages.size() - 1);
        if (!ChatMessage.ASSISTANT.equals(last.role())) {
            return "expected the conversation to end with the assistant's answer (what the model learns to say), "
                    + "found a last message of role \"" + last.role() + "\"";
        }
        return null;
    }
}
