package dev.llmforge.alignment.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tokenizer.BpeTokenizer;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatMlTemplate;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SftEncoderTest {
    private static final BpeTokenizer GPT2 = BpeTokenizer.gpt2();
    private static final BpeTokenizer GPT2_CHAT = GPT2.withAddedSpecialTokens(
            List.of(ChatMlTemplate.IM_START, ChatMlTemplate.IM_END));
    private static final int END_OF_TEXT = 50256;
    private static final RecordLocation HERE = new RecordLocation("test.jsonl", 7);

    private static final List<ChatMessage> TWO_EXCHANGES = List.of(
            ChatMessage.user("What's the capital of China?"), ChatMessage.assistant("Beijing."),
            ChatMessage.user("And of France?"), ChatMessage.assistant("Paris, on the Seine."));

    static Stream<Arguments> templates() {
        return Stream.of(
                // template, tokenizer, each assistant turn as trained, the untrained text right after a turn
                Arguments.of(ChatTemplate.chatMl(), GPT2_CHAT, List.of("Beijing.<|im_end|>",
                        "Paris, on the Seine.<|im_end|>"), "\n<|im_start|>user\n"),
                Arguments.of(ChatTemplate.humanAssistant(), GPT2, List.of(" Beijing.<|endoftext|>",
                        " Paris, on the Seine.<|endoftext|>"), "\n\nHuman: "),
                Arguments.of(ChatTemplate.qa(), GPT2, List.of(" Beijing.<|endoftext|>",
                        " Paris, on the Seine.<|endoftext|>"), "\n\nQ: "));
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theLossMaskIsEveryAssistantTurnWithItsEndOfTurnAndNothingElse(ChatTemplate template, Tokenizer tokenizer,
                                                                      List<String> trainedTurns, String nextHeader) {
        SftExample example = new SftEncoder(template, tokenizer, 1024, LossOn.ASSISTANT)
                .encode(new SftRecord(TWO_EXCHANGES, Optional.empty(), HERE));
        int[] ids = example.tokens().ids();
        boolean[] labels = example.tokens().lossMask();
        List<String> runs = new ArrayList<>();
        List<String> untrained = new ArrayList<>();
        for (int start = 0; start < ids.length; ) {
            int end = start;
            while (end < ids.length && labels[end] == labels[start]) {
                end++;
            }
            String text = tokenizer.decode(Arrays.copyOfRange(ids, start, end));
            if (labels[start]) {
                runs.add(text);
            } else {
                untrained.add(text);
            }
            start = end;
        }
        assertEquals(trainedTurns, runs, "the labelled runs are exactly the assistant turns with their end-of-turn");
        assertEquals(2, untrained.size(), "an untrained run before each assistant turn: " + untrained);
        assertTrue(untrained.get(1).startsWith(nextHeader),
                "the next role header starts right after the first assistant turn and is not trained: " + untrained);
        assertEquals(tokenizer.specialTokens().requireId(template.endOfTurn()), ids[ids.length - 1],
                "the example ends with the end-of-turn token");
        assertEquals(template.render(TWO_EXCHANGES, tokenizer).text().stripTrailing(), tokenizer.decode(ids));
        assertEquals(Truncation.NONE, example.truncation());
        assertEquals(HERE, example.location());
    }

    @Test
    void theEndOfTextLabelIsKeptWhenPaddingUsesTheSameId() {
        // GPT-2 has no padding token; trainers pad with <|endoftext|> (50256), the id that closes each answer
        SftExample example = new SftEncoder(ChatTemplate.humanAssistant(), GPT2, 64, LossOn.ASSISTANT)
                .encode(new SftRecord(TWO_EXCHANGES, Optional.empty(), HERE));
        MaskedTokens tokens = example.tokens();
        int n = tokens.length();
        int[] inputs = tokens.inputs(n + 5, END_OF_TEXT);
        int[] targets = tokens.targets(n + 5, -100);
        assertEquals(END_OF_TEXT, targets[n - 2], "the last target is the closing <|endoftext|>, trained");
        for (int t = n - 1; t < n + 5; t++) {
            assertEquals(END_OF_TEXT, inputs[t], "padding input at " + t);
            assertEquals(-100, targets[t], "padding target at " + t + " is ignored by position");
        }
        long trainedEnds = Arrays.stream(targets).filter(id -> id == END_OF_TEXT).count();
        assertEquals(2, trainedEnds, "both answers' <|endoftext|> are targets, the one mid-conversation too");
        // masking by id (labels[ids == pad] = -100, as a language-modelling collator does) would lose both
        for (int t = 0; t < n - 1; t++) {
            assertEquals(tokens.lossMask()[t + 1] ? tokens.ids()[t + 1] : -100, targets[t], "target " + t);
            assertEquals(tokens.ids()[t], inputs[t], "input " + t);
        }
    }

    /** Every character is a token, so lengths below are counted in characters; ∎ stands for {@code <|endoftext|>}. */
    private static final CharTokenizer CHARS = CharTokenizer.fromCorpus(
            "QA: \nabcdefghijklmnopqrstuvwxyz0123456789", List.of(SpecialTokens.END_OF_TEXT));
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    private static SftExample qa(String question, String answer, int maxTokens) {
        return new SftEncoder(ChatTemplate.qa(), CHARS, maxTokens, LossOn.ASSISTANT).encode(new SftRecord(
                List.of(ChatMessage.user(question), ChatMessage.assistant(answer)), Optional.empty(), HERE));
    }

    private static String text(SftExample example) {
        return CHARS.decode(example.tokens().ids()).replace(SpecialTokens.END_OF_TEXT, "∎");
    }

    @Test
    void aRecordThatFitsIsKeptWhole() {
        // "Q: " + 26 letters + "\nA:" is a 32-token prompt; " 42∎" a 4-token answer
        SftExample example = qa(ALPHABET, "42", 36);
        assertEquals("Q: " + ALPHABET + "\nA: 42∎", text(example));
        assertEquals(Truncation.NONE, example.truncation());
    }

    @Test
    void aShortAnswerKeepsItAllAndThePromptKeepsItsEnd() {
        // 36 tokens in a room of 20: the answer keeps its 4, the prompt its last 16
        SftExample example = qa(ALPHABET, "42", 20);
        assertEquals("nopqrstuvwxyz\nA: 42∎", text(example));
        assertEquals(new Truncation(16, 0), example.truncation());
        assertEquals(4, example.tokens().labelCount());
    }

    @Test
    void aLongAnswerKeepsItsStartAndThePromptKeepsHalfTheRoom() {
        // a 32-token prompt and a 42-token answer (" " + 40 digits + ∎) in a room of 20: 10 and 10
        String answer = "0123456789".repeat(4);
        SftExample example = qa(ALPHABET, answer, 20);
        assertEquals("tuvwxyz\nA: 012345678", text(example));
        assertEquals(new Truncation(22, 32), example.truncation());
        assertEquals(10, example.tokens().labelCount(), "the cut answer has no end-of-turn: it does not end there");
    }

    @Test
    void aShortPromptLeavesTheRestOfTheRoomToTheAnswer() {
        // "Q: hi\nA:" is 8 tokens; the 42-token answer keeps 12
        SftExample example = qa("hi", "0123456789".repeat(4), 20);
        assertEquals("Q: hi\nA: 01234567890", text(example));
        assertEquals(new Truncation(0, 30), example.truncation());
        assertEquals("2 of 3 examples truncated (prompt cut in 1, response cut in 2; 84 tokens dropped)",
                Truncation.summary(List.of(example.truncation(), Truncation.NONE,
                        qa(ALPHABET, "0123456789".repeat(4), 20).truncation())));
        assertEquals("none of 1 examples truncated", Truncation.summary(List.of(Truncation.NONE)));
    }

    @Test
    void lossOnAllLabelsEveryToken() {
        SftExample example = new SftEncoder(ChatTemplate.qa(), CHARS, 100, LossOn.ALL).encode(new SftRecord(
                List.of(ChatMessage.user("hi"), ChatMessage.assistant("42")), Optional.empty(), HERE));
        boolean[] all = new boolean[example.tokens().length()];
        Arrays.fill(all, true);
        assertArrayEquals(all, example.tokens().lossMask());
        assertEquals(all.length - 1, example.tokens().labelCount());
        assertEquals(LossOn.ALL, LossOn.named("all"));
        assertEquals("unknown loss choice \"prompt\"; expected one of assistant, all",
                assertThrows(IllegalArgumentException.class, () -> LossOn.named("prompt")).getMessage());
    }

    @Test
    void aRecordTheTemplateCannotRenderIsABadRecord() throws BadRecordException {
        SftRecord system = new SftRecord(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello.")), Optional.empty(), HERE);
        SftRecord fine = new SftRecord(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello.")),
                Optional.empty(), new RecordLocation("test.jsonl", 8));
        SftEncoder encoder = new SftEncoder(ChatTemplate.humanAssistant(), GPT2, 100, LossOn.ASSISTANT);
        String reason = "the Human/Assistant template has roles \"user\" and \"assistant\", found \"system\"";
        assertEquals("test.jsonl:7: " + reason,
                assertThrows(IllegalArgumentException.class, () -> encoder.encode(system)).getMessage());
        BadRecords bad = BadRecords.skip();
        List<SftExample> examples = encoder.encodeAll(List.of(system, fine), bad);
        assertEquals(List.of(fine.location()), examples.stream().map(SftExample::location).toList());
        assertEquals(List.of(new BadRecord(HERE, reason)), bad.first());
        assertEquals("test.jsonl:7: " + reason, assertThrows(BadRecordException.class,
                () -> encoder.encodeAll(List.of(system), BadRecords.failFast())).getMessage());
    }

    @Test
    void aLimitBelowTwoTokensIsRefused() {
        assertEquals("an example needs room for at least 2 tokens (a prompt token and a response token), found "
                + "maxTokens 1", assertThrows(IllegalArgumentException.class,
                () -> new SftEncoder(ChatTemplate.qa(), CHARS, 1, LossOn.ALL)).getMessage());
    }
}
