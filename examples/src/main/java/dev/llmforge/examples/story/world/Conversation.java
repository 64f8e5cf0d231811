package dev.llmforge.examples.story.world;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.alignment.io.JsonLines;

/**
 * One SFT example: a user's question and the assistant's answer.
 *
 * @param question what the user asks
 * @param answer   what the assistant answers
 * @param kind     what it is about: a {@link Fact#label()}, "age" or "explanation"
 */
public record Conversation(String question, String answer, String kind) {
    /** {@code {"messages":[{"role":"user","content":...},{"role":"assistant","content":...}]}}, the chat format. */
    public ObjectNode toMessagesJson() {
        ObjectNode json = JsonLines.object();
        ArrayNode messages = json.putArray("messages");
        messages.addObject().put("role", "user").put("content", question);
        messages.addObject().put("role", "assistant").put("content", answer);
        return json;
    }

    /** The seed's plain Q&A text: "Q: What's the capital of China?\nA: China's capital is Beijing." */
    public String toQaText() {
        return "Q: " + question + "\nA: " + answer;
    }
}
