package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A prompt that reinforcement learning (PPO, GRPO) samples answers to: the conversation up to the assistant's
 * turn, the question as the user asked it (the last user message: what answer checking compares an echo with),
 * the expected answer when the source has one (what a checkable reward reads), and where it was read.
 *
 * @param messages the conversation before the answer; it ends with a user or system message
 * @param question the last user message's text
 * @param answer   the expected final answer (an eval record's {@code answer}, GSM8K's {@code #### N}, a
 *                 {@code final_answer} field), when there is one
 * @param location the file and line it was read from
 */
public record RolloutPrompt(List<ChatMessage> messages, String question, Optional<String> answer, RecordLocation location) {
    public RolloutPrompt {
        messages = List.copyOf(messages);
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(location, "location");
        if (messages.isEmpty() || ChatMessage.ASSISTANT.equals(messages.get(messages.size() - 1).role())) {
            throw new IllegalArgumentException("a prompt must end with a user or system message, found " + messages);
        }
    }

    /** The prompt of a fine-tuning record: its messages without the final assistant answer. */
    public static RolloutPrompt of(SftRecord record) {
        List<ChatMessage> before = record.messages().subList(0, record.messages().size() - 1);
        String question = "";
        for (ChatMessage m : before) {
            if (ChatMessage.USER.equals(m.role())) {
                question = m.content();
            }
        }
        return new RolloutPrompt(before, question, record.finalAnswer(), record.location());
    }
}
