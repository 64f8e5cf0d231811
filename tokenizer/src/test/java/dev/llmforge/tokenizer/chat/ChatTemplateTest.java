package dev.llmforge.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
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
    void humanAssistantTemplateWorksWithACharacterVocabularyAndTrainsTheEndOfTurn() {
        CharTokenizer chars = CharTokenizer.fromCorpus(TestData.shakespeare(), List.of(SpecialTokens.END_OF_TEXT));
        int endOfText = chars.specialTokens().requireId(SpecialTokens.END_OF_TEXT);
        ChatEncoding encoding = ChatTemplate.humanAssistant().render(List.of(
                ChatMessage.user("How art thou?"), ChatMessage.assistant("Well, I thank you."),
                ChatMessage.user("And thy sister?"), ChatMessage.assistant("Well too.")), chars);
        String first = "\n\nHuman: How art thou?\n\nAssistant: Well, I thank you.";
        String second = "\n\nHuman: And thy sister?\n\nAssistant: Well too.";
        assertEquals(first + "<|endoftext|>" + second + "<|endoftext|>", encoding.text());
        Expected expected = new Expected(chars);
        expected.text("\n\nHuman: How art thou?\n\nAssistant:", false).text(" Well, I thank you.", true)
                .id(endOfText, true);
        expected.text("\n\nHuman: And thy sister?\n\nAssistant:", false).text(" Well too.", true)
                .id(endOfText, true);
        assertArrayEquals(expected.ids(), encoding.ids());
        assertArrayEquals(expected.mask(), encoding.assistantMask());
        assertEquals(SpecialTokens.END_OF_TEXT, ChatTemplate.humanAssistant().endOfTurn());

        ChatEncoding prompt = ChatTemplate.humanAssistant().renderForGeneration(
                List.of(ChatMessage.user("How art thou?")), chars);
        assertEquals("\n\nHuman: How art thou?\n\nAssistant:", prompt.text());
        assertEquals(0, prompt.assistantTokenCount());
    }

    @Test
    void humanAssistantTemplateRefusesOtherRoles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.humanAssistant().render(List.of(ChatMessage.system("x")), BpeTokenizer.gpt2()));
        assertEquals("the Human/Assistant template has roles \"user\" and \"assistant\", found \"system\"",
                e.getMessage());
    }

    @Test
    void plainTextTemplatesNeedTheEndOfTextToken() {
        CharTokenizer chars = CharTokenizer.fromCorpus("abc Human:Assistant?QA\n");
        for (ChatTemplate template : List.of(ChatTemplate.humanAssistant(), ChatTemplate.qa())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> template.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), chars));
            assertTrue(e.getMessage().contains("closes every assistant turn with the special token <|endoftext|>, "
                    + "which this tokenizer does not have (its special tokens are [])"), e.getMessage());
        }
    }

    @Test
    void qaTemplateWritesQuestionAndAnswerLinesWithABlankLineBetweenRecords() {
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        int endOfText = gpt2.specialTokens().requireId(SpecialTokens.END_OF_TEXT);
        ChatEncoding encoding = ChatTemplate.qa().render(List.of(
                ChatMessage.user("What's the capital of China?"), ChatMessage.assistant("China's capital is Beijing."),
                ChatMessage.user("And of France?"), ChatMessage.assistant("Paris.")), gpt2);
        assertEquals("Q: What's the capital of China?\nA: China's capital is Beijing.<|endoftext|>\n\n"
                + "Q: And of France?\nA: Paris.<|endoftext|>", encoding.text());
        Expected expected = new Expected(gpt2);
        expected.text("Q: What's the capital of China?\n", false).text("A:", false)
                .text(" China's capital is Beijing.", true).id(endOfText, true);
        expected.text("\n\n", false).text("Q: And of France?\n", false).text("A:", false).text(" Paris.", true)
                .id(endOfText, true);
        assertArrayEquals(expected.ids(), encoding.ids());
        assertArrayEquals(expected.mask(), encoding.assistantMask());

        assertEquals("Q: What's the capital of China?\nA:", ChatTemplate.qa().renderForGeneration(
                List.of(ChatMessage.user("What's the capital of China?")), gpt2).text());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.qa().render(List.of(ChatMessage.system("x")), gpt2));
        assertEquals("the Q&A template has roles \"user\" and \"assistant\", found \"system\"", e.getMessage());
    }

    @Test
    void templatesAreFoundByName() {
        assertEquals(ChatMlTemplate.class, ChatTemplate.named("chatml").getClass());
        assertEquals(HumanAssistantTemplate.class, ChatTemplate.named("human-assistant").getClass());
        assertEquals(QaTemplate.class, ChatTemplate.named("qa").getClass());
        assertEquals(ChatMlTemplate.IM_END, ChatTemplate.chatMl().endOfTurn());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.named("llama"));
        assertEquals("unknown chat template \"llama\"; expected one of chatml, human-assistant, qa", e.getMessage());
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
