package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * Renders a conversation into text and token ids, marking the ids of assistant turns. Message contents are
 * always encoded with special-token text as plain text, so a message cannot forge the template's markers. Every
 * assistant turn ends with the template's {@link #endOfTurn()}, inside the mask, so a model trained on the
 * rendering learns to stop.
 */
public interface ChatTemplate {
    /** The names {@link #named(String)} knows, in the order they are listed in messages. */
    List<String> NAMES = List.of("chatml", "human-assistant", "qa");

    /** The conversation as training data: the mask marks every id the model should learn to produce. */
    ChatEncoding render(List<ChatMessage> messages, Tokenizer tokenizer);

    /** The conversation followed by the opening of an assistant turn, as a prompt for generation. */
    ChatEncoding renderForGeneration(List<ChatMessage> messages, Tokenizer tokenizer);

    /**
     * The text that closes every assistant turn (a special token when the tokenizer has it): generation in this
     * template stops when the model produces it.
     */
    String endOfTurn();

    /**
     * The special tokens this template writes as single ids when the tokenizer has them (and needs, for the
     * plain-text templates): what to add to a tokenizer before fine-tuning in this template.
     */
    List<String> specialTokens();

    /** {@code <|im_start|>role\ncontent<|im_end|>\n} per message; see {@link ChatMlTemplate}. */
    static ChatTemplate chatMl() {
        return new ChatMlTemplate();
    }

    /**
     * {@code \n\nHuman: ...\n\nAssistant: ...<|endoftext|>} as in Anthropic's HH data; see
     * {@link HumanAssistantTemplate}.
     */
    static ChatTemplate humanAssistant() {
        return new HumanAssistantTemplate();
    }

    /** {@code Q: ...\nA: ...<|endoftext|>}, plain Q&A lines; see {@link QaTemplate}. */
    static ChatTemplate qa() {
        return new QaTemplate();
    }

    /**
     * The template called {@code name}: {@code chatml}, {@code human-assistant} or {@code qa}.
     *
     * @throws IllegalArgumentException listing the names there are, for any other name
     */
    static ChatTemplate named(String name) {
        return switch (name) {
            case "chatml" -> chatMl();
            case "human-assistant" -> humanAssistant();
            case "qa" -> qa();
            default -> throw new IllegalArgumentException(String.format(
                    "unknown chat template \"%s\"; expected one of %s", name, String.join(", ", NAMES)));
        };
    }
}
