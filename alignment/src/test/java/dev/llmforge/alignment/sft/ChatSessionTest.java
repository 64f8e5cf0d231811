package dev.llmforge.alignment.sft;

import static dev.llmforge.alignment.sft.NextTokenRowsTest.TOKENIZER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-turn chat: streamed text is the reply, history cut to the context by whole exchanges, commands. */
class ChatSessionTest {
    static final int CONTEXT = 40;
    static final int REPLY = 6;

    @Test
    void theHistoryIsCutToTheContextByWholeExchanges() {
        try (Gpt model = new Gpt(GptConfig.gpt2(TOKENIZER.vocabSize(), CONTEXT, 1, 2, 8), Backends.get("reference"), 3);
             ChatSession chat = new ChatSession(model, ChatTemplate.qa(), TOKENIZER, REPLY, 0, 1)) {
            List<String> questions = List.of("who are you?", "hi?", "who is lou?", "a cat?");
            for (String q : questions) {
                List<ChatMessage> before = chat.turns();
                StringBuilder streamed = new StringBuilder();
                ChatSession.Reply reply = chat.reply(q, streamed::append);
                assertEquals(reply.text(), streamed.toString(), "the streamed pieces make the reply");
                // the fewest whole exchanges left out so that the rendered prompt leaves room for the reply
                List<ChatMessage> all = new ArrayList<>(before);
                all.add(ChatMessage.user(q));
                int expected = 0;
                while (expected + 2 < all.size()
                        && ChatTemplate.qa().renderForGeneration(all.subList(expected, all.size()), TOKENIZER).ids().length > CONTEXT - REPLY) {
                    expected += 2;
                }
                assertEquals(expected, reply.turnsLeftOut(), "after " + before);
            }
            assertTrue(chat.turns().size() == 8, "every turn is kept");
            assertTrue(chat.reply("hi?", s -> { }).turnsLeftOut() > 0, "four exchanges do not fit in 34 tokens");
            chat.reset();
            assertEquals(0, chat.reply("hi?", s -> { }).turnsLeftOut());
            assertEquals(2, chat.turns().size());
        }
    }

    @Test
    void greedyRepliesRepeatAndCommandsCheckTheirValues() {
        try (Gpt model = new Gpt(GptConfig.gpt2(TOKENIZER.vocabSize(), CONTEXT, 1, 2, 8), Backends.get("reference"), 3);
             ChatSession chat = new ChatSession(model, ChatTemplate.qa(), TOKENIZER, REPLY, 0, 1)) {
            String first = chat.reply("hi?", s -> { }).text();
            chat.reset();
            assertEquals(first, chat.reply("hi?", s -> { }).text());
            assertThrows(IllegalArgumentException.class, () -> chat.temperature(-1));
            chat.system("be brief");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chat.reply("hi?", s -> { }));
            assertTrue(e.getMessage().contains("found \"system\""), e.getMessage());
            assertEquals(2, chat.turns().size(), "a message that could not be sent does not join the conversation");
            chat.system(null);
            chat.reply("hi?", s -> { });
            assertEquals(4, chat.turns().size(), "without the system message the conversation continues");
            assertThrows(IllegalArgumentException.class, () -> new ChatSession(model, ChatTemplate.qa(), TOKENIZER, CONTEXT, 0, 1));
        }
    }
}
