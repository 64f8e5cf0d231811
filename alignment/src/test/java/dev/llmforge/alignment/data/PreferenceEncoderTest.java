package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatMlTemplate;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PreferenceEncoderTest {
    private static final BpeTokenizer GPT2_CHAT = BpeTokenizer.gpt2().withAddedSpecialTokens(
            List.of(ChatMlTemplate.IM_START, ChatMlTemplate.IM_END));
    private static final int IM_END = 50258;
    private static final RecordLocation HERE = new RecordLocation("pairs.jsonl", 3);
    private static final List<ChatMessage> SKY = List.of(ChatMessage.user("What colour is the sky?"));

    private static PreferenceGroup group(List<ChatMessage> prompt, PreferencePair... pairs) {
        return new PreferenceGroup(prompt, List.of(pairs), HERE);
    }

    private static PreferencePair pair(String chosen, String rejected) {
        return new PreferencePair(List.of(ChatMessage.assistant(chosen)), List.of(ChatMessage.assistant(rejected)),
                OptionalDouble.empty());
    }

    @Test
    void promptEndsWithTheAssistantHeaderAndEachResponseWithItsEndOfTurn() {
        PreferencePair pair = new PreferencePair(List.of(ChatMessage.assistant("Blue.")),
                List.of(ChatMessage.assistant("Green, mostly.")), OptionalDouble.of(0.5));
        PreferenceExample example = new PreferenceEncoder(ChatTemplate.chatMl(), GPT2_CHAT, 1024)
                .encode(group(SKY, pair)).get(0);
        assertEquals("<|im_start|>user\nWhat colour is the sky?<|im_end|>\n<|im_start|>assistant\n",
                GPT2_CHAT.decode(example.promptIds()));
        assertEquals("Blue.<|im_end|>", GPT2_CHAT.decode(example.chosen().ids()));
        assertEquals("Green, mostly.<|im_end|>", GPT2_CHAT.decode(example.rejected().ids()));
        assertEquals(IM_END, example.chosen().ids()[example.chosen().length() - 1]);
        assertArrayEquals(trues(example.chosen().length()), example.chosen().lossMask());
        assertArrayEquals(trues(example.rejected().length()), example.rejected().lossMask());
        assertEquals(OptionalDouble.of(0.5), example.margin());
        assertEquals(Truncation.NONE, example.truncation());

        MaskedTokens sequence = example.chosenSequence();
        int promptLength = example.promptIds().length;
        assertEquals(GPT2_CHAT.decode(example.promptIds()) + "Blue.<|im_end|>", GPT2_CHAT.decode(sequence.ids()));
        for (int i = 0; i < sequence.length(); i++) {
            assertEquals(i >= promptLength, sequence.lossMask()[i], "position " + i);
        }
        assertEquals(example.rejected().length(), example.rejectedSequence().labelCount());
    }

    @Test
    void aMultiTurnResponseMasksItsUserTurns() {
        PreferencePair pair = new PreferencePair(
                List.of(ChatMessage.assistant("Blue."), ChatMessage.user("Why?"), ChatMessage.assistant("Light.")),
                List.of(ChatMessage.assistant("Green.")), OptionalDouble.empty());
        PreferenceExample example = new PreferenceEncoder(ChatTemplate.humanAssistant(), BpeTokenizer.gpt2(), 1024)
                .encode(group(SKY, pair)).get(0);
        MaskedTokens chosen = example.chosen();
        assertEquals(" Blue.<|endoftext|>\n\nHuman: Why?\n\nAssistant: Light.<|endoftext|>",
                BpeTokenizer.gpt2().decode(chosen.ids()));
        StringBuilder trained = new StringBuilder();
        for (int i = 0; i < chosen.length(); i++) {
            if (chosen.lossMask()[i]) {
                trained.append(BpeTokenizer.gpt2().decode(new int[] {chosen.ids()[i]}));
            }
        }
        assertEquals(" Blue.<|endoftext|> Light.<|endoftext|>", trained.toString());
    }

    @Test
    void aGroupThatDoesNotFitSharesOnePromptCutForItsLongestResponse() {
        // one token a character; "Q: " + 26 letters + "\nA:" is a 32-token prompt, ∎ stands for <|endoftext|>
        CharTokenizer chars = CharTokenizer.fromCorpus("QA: \nabcdefghijklmnopqrstuvwxyz0123456789",
                List.of(SpecialTokens.END_OF_TEXT));
        PreferenceGroup group = group(List.of(ChatMessage.user("abcdefghijklmnopqrstuvwxyz")),
                pair("0123456789", "42"), pair("0123456789", "7"), pair("42", "7"));
        List<PreferenceExample> examples = new PreferenceEncoder(ChatTemplate.qa(), chars, 24).encode(group);
        // the longest response " 0123456789∎" is 12 tokens: the prompt keeps the other 12, responses stay whole
        assertEquals(3, examples.size());
        assertEquals("rstuvwxyz\nA:", chars.decode(examples.get(0).promptIds()));
        for (PreferenceExample example : examples) {
            assertSame(examples.get(0).promptIds(), example.promptIds());
            assertEquals(HERE, example.location());
            assertEquals(new Truncation(20, 0), example.truncation());
        }
        assertEquals(" 0123456789" + SpecialTokens.END_OF_TEXT, chars.decode(examples.get(0).chosen().ids()));

        List<PreferenceExample> tight = new PreferenceEncoder(ChatTemplate.qa(), chars, 16).encode(group);
        // room 16: the prompt keeps half (16 - 12 is less), 8 tokens; responses keep their first 8
        assertEquals("vwxyz\nA:", chars.decode(tight.get(0).promptIds()));
        assertEquals(" 0123456", chars.decode(tight.get(0).chosen().ids()));
        assertEquals(" 42" + SpecialTokens.END_OF_TEXT, chars.decode(tight.get(0).rejected().ids()));
        assertEquals(new Truncation(24, 4), tight.get(0).truncation());
        assertEquals(new Truncation(24, 0), tight.get(2).truncation());
    }

    @Test
    void aGroupTheTemplateCannotRenderIsABadRecord() throws BadRecordException {
        PreferenceGroup system = group(List.of(ChatMessage.system("Be brief."), SKY.get(0)), pair("Blue.", "Red."));
        PreferenceEncoder encoder = new PreferenceEncoder(ChatTemplate.qa(), BpeTokenizer.gpt2(), 64);
        String reason = "the Q&A template has roles \"user\" and \"assistant\", found \"system\"";
        assertEquals("pairs.jsonl:3: " + reason,
                assertThrows(IllegalArgumentException.class, () -> encoder.encode(system)).getMessage());
        BadRecords bad = BadRecords.skip();
        assertEquals(1, encoder.encodeAll(List.of(system, group(SKY, pair("Blue.", "Red."))), bad).size());
        assertEquals(List.of(new BadRecord(HERE, reason)), bad.first());
    }

    private static boolean[] trues(int length) {
        boolean[] all = new boolean[length];
        java.util.Arrays.fill(all, true);
        return all;
    }
}
