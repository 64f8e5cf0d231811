package dev.llmforge.tokenizer.chat;

import java.util.Objects;

/**
 * One turn of a conversation.
 *
 * @param role    who speaks: {@code "system"}, {@code "user"}, {@code "assistant"} (templates may accept others)
 * @param content what is said
 */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /** A system message (instructions). */
    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    /** A user message. */
    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    /** An assistant message: what the model learns to say. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }

    boolean isAssistant() {
        return ASSISTANT.equals(role);
    }
}
