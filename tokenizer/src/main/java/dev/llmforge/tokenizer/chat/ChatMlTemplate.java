package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * ChatML: each message is {@code <|im_start|>role\ncontent<|im_end|>\n}. The markers are special tokens when
 * the tokenizer has both of them, and plain text otherwise. The mask covers an assistant message's content and
 * its {@code <|im_end|>} (so the model learns to stop), not the {@code <|im_start|>assistant\n} header.
 */
public final class ChatMlTemplate implements ChatTemplate {
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    @Override
    public ChatEncoding render(List<ChatMessage> messages, Tokenizer tokenizer) {
        return renderMessages(messages, tokenizer).build();
    }

    @Override
    public ChatEncoding renderForGeneration(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = renderMessages(messages, tokenizer);
        marker(builder, tokenizer, IM_START, false);
        builder.text(ChatMessage.ASSISTANT + "\n", false);
        return builder.build();
    }

    @Override
    public List<String> specialTokens() {
        return List.of(IM_START, IM_END);
    }

    @Override
    public String endOfTurn() {
        return IM_END;
    }

    private static ChatEncodingBuilder renderMessages(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = new ChatEncodingBuilder(tokenizer);
        for (ChatMessage message : messages) {
            String role = message.role();
            if (role.isEmpty() || role.contains("\n") || role.contains(IM_START) || role.contains(IM_END)) {
                throw new IllegalArgumentException(String.format(
                        "a ChatML role must be non-empty, on one line and without markers, found \"%s\"", role));
            }
            boolean assistant = message.isAssistant();
            marker(builder, tokenizer, IM_START, false);
            builder.text(role + "\n", false);
            builder.text(message.content(), assistant);
            marker(builder, tokenizer, IM_END, assistant);
            builder.text("\n", false);
        }
        return builder;
    }

    private static void marker(ChatEncodingBuilder builder, Tokenizer tokenizer, String marker, boolean assistant) {
        if (tokenizer.specialTokens().contains(IM_START) && tokenizer.specialTokens().contains(IM_END)) {
            builder.special(marker, assistant);
        } else {
            builder.text(marker, assistant);
        }
    }
}
