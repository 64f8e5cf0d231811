package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.List;

/** Checks on lists of messages shared by the record types. */
final class Conversations {
    private Conversations() {
    }

    /** A description of the first message with blank content, or null if there is none. */
    static String blankMessage(List<ChatMessage> messages) {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).content().isBlank()) {
                return "expected every message to have content, found an empty " + messages.get(i).role()
                        + " message (message " + (i + 1) + " of " + messages.size() + ")";
            }
        }
        return null;
    }

    /** {@code instruction}, then {@code input} after a blank line when there is one (Alpaca, self-instruct). */
    static String instructionPrompt(String instruction, String input) {
        return input.isBlank() ? instruction : instruction + "\n\n" + input;
    }
}
