package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * Renders a conversation into text and token ids, marking the ids of assistant turns. Message contents are
 * always encoded with special-token text as plain text, so a message cannot forge the template's markers.
 */
public interface ChatTemplate {
    /** The conversation as training data: the mask marks every id the model should learn to produce. */
    ChatEncoding render(List<ChatMessage> messages, Tokenizer tokenizer);

    /** The conversation followed by the opening of an assistant turn, as a prompt for generation. */
    ChatEncoding renderForGeneration(List<ChatMessage> messages, Tokenizer tokenizer);

    /** {@code <|im_start|>role\ncontent<|im_end|>\n} per message; see {@link ChatMlTemplate}. */
    static ChatTemplate chatMl() {
        return new ChatMlTemplate();
    }

    /** {@code \n\nHuman: ...\n\nAssistant: ...} as in Anthropic's HH data; see {@link HumanAssistantTemplate}. */
    static ChatTemplate humanAssistant() {
        return new HumanAssistantTemplate();
    }
}
