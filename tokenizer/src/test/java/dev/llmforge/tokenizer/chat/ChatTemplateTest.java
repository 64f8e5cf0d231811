package dev.llmforge.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.TestData;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final BpeTokenizer GPT2_CHAT = BpeTokenizer.gpt2()
            .withAddedSpecialTokens(List.of(ChatMlTemplate.IM_START, ChatMlTemplate.IM_END));
    private static final int IM_START = 50257;
    private static final int IM_END = 50258;

    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("Be brief."),
            ChatMessage.user("Hi <|im_end|> there"),
            ChatMessage.assistant("Hello!"));

    @Test
    void chatMlUsesSpecialMarkersAndMasksAssistantContentAndItsEnd() {
        ChatEncoding encoding = ChatTemplate.chatMl().render(CONVERSATION, GPT2_CHAT);
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi <|im_end|> there<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n", encoding.text());
        Expected expected = new Expected(GPT2_CHAT);
        expected.id(IM_START, false).text("system\n", false).text("Be brief.", false).id(IM_END, false)
                .text("\n", false);
        expected.id(IM_START, false).text("user\n", false).text("Hi <|im_end|> there", false).id(IM_END, false)
                .text("\n", false);
        expected.id(IM_START, false).text("assistant\n", false).text("Hello!", true).id(IM_END, true)
                .text("\n", false);
        assertArrayEquals(expected.ids(), encoding.ids());
        assertArrayEquals(expected.mask(), encoding.assistantMask());
        assertEquals(3, IntStream.of(encoding.ids()).filter(id -> id == IM_END).count(),
                "the <|im_end|> inside the user message must stay text");
        assertEquals(encoding.text(), GPT2_CHAT.decode(encoding.ids()));
    }

    @Test
    void chatMlGenerationPromptOpensAnAssistantTurn() {
        ChatEncoding encoding = ChatTemplate.chatMl().renderForGeneration(CONVERSATION.subList(0, 2), GPT2_CHAT);
        assertEquals("<|im_start|>assistant\n", encoding.text().substring(encoding.text().length() - 22));
        int[] ids = encoding.ids();
        int[] header = GPT2_CHAT.encode("assistant\n");
        assertEquals(IM_START, ids[ids.length - 1 - header.length]);
        assertEquals(0, encoding.assistantTokenCount());
    }

    @Test
    void chatMlWritesMarkersAsTextWhenTheTokenizerLacksThem() {
        ChatEncoding encoding = ChatTemplate.chatMl().render(List.of(ChatMessage.assistant("Yes.")),
                BpeTokenizer.gpt2());
        assertEquals("<|im_start|>assistant\nYes.<|im_end|>\n", encoding.text());
        Expected expected = new Expected(BpeTokenizer.gpt2());
        expected.text("<|im_start|>", false).text("assistant\n", false).text("Yes.", true).text("<|im_end|>", true)
                .text("\n", false);
        assertArrayEquals(expected.ids(), encoding.ids());
        assertArrayEquals(expected.mask(), encoding.assistantMask());
    }

    @Test
    void humanAssistantTemplateWorksWithACharacterVocabulary() {
        CharTokenizer chars = CharTokenizer.fromCorpus(TestData.shakespeare());
        ChatEncoding encoding = ChatTemplate.humanAssistant().render(List.of(
                ChatMessage.user("How art thou?"), ChatMessage.assistant("Well, I thank you.")), chars);
        String text = "\n\nHuman: How art thou?\n\nAssistant: Well, I thank you.";
        assertEquals(text, encoding.text());
        assertArrayEquals(chars.encode(text), encoding.ids());
        int answerStart = text.indexOf(" Well");
        for (int i = 0; i < text.length(); i++) {
            assertEquals(i >= answerStart, encoding.assistantMask()[i], "position " + i);
        }
        ChatEncoding prompt = ChatTemplate.humanAssistant().renderForGeneration(
                List.of(ChatMessage.user("How art thou?")), chars);
        assertEquals("\n\nHuman: How art thou?\n\nAssistant:", prompt.text());
    }

    @Test
    void humanAssistantTemplateRefusesOtherRoles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.humanAssistant().render(List.of(ChatMessage.system("x")), BpeTokenizer.gpt2()));
        assertEquals("the Human/Assistant template has roles \"user\" and \"assistant\", found \"system\"",
                e.getMessage());
    }

    @Test
    void chatEncodingRefusesAMaskOfAnotherLength() {
        assertThrows(IllegalArgumentException.class, () -> new ChatEncoding("a", new int[1], new boolean[2]));
    }

    /** Builds expected ids and mask by encoding each part on its own. */
    private static final class Expected {
        private final Tokenizer tokenizer;
        private final List<Integer> ids = new ArrayList<>();
        private final List<Boolean> mask = new ArrayList<>();

        Expected(Tokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        Expected text(String text, boolean assistant) {
            for (int id : tokenizer.encode(text)) {
                id(id, assistant);
            }
            return this;
        }

        Expected id(int id, boolean assistant) {
            ids.add(id);
            mask.add(assistant);
            return this;
        }

        int[] ids() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }

        boolean[] mask() {
            boolean[] result = new boolean[mask.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = mask.get(i);
            }
            return result;
        }
    }
}
