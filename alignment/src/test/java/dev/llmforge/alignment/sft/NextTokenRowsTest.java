package dev.llmforge.alignment.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.alignment.data.LossOn;
import dev.llmforge.alignment.data.RecordLocation;
import dev.llmforge.alignment.data.SftEncoder;
import dev.llmforge.alignment.data.SftExample;
import dev.llmforge.alignment.data.SftRecord;
import dev.llmforge.nn.functional.F;
import dev.llmforge.tokenizer.CharTokenizer;
import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.PaddedRecordSource;
import dev.llmforge.training.data.PaddedRecordSource.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The next-token rows SFT trains on: labels by position, the end-of-turn trained, the next role header not. */
class NextTokenRowsTest {
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("\n :?ABQacdehilnorstuwy", List.of(SpecialTokens.END_OF_TEXT));
    static final int EOT = TOKENIZER.specialTokens().requireId(SpecialTokens.END_OF_TEXT);

    static SftRecord record(String... turns) {
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < turns.length; i++) {
            messages.add(i % 2 == 0 ? ChatMessage.user(turns[i]) : ChatMessage.assistant(turns[i]));
        }
        return new SftRecord(messages, Optional.empty(), new RecordLocation("test.jsonl", 1));
    }

    static Record row(SftExample e) {
        int[] ids = e.tokens().ids();
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return new Record(longs, e.tokens().lossMask());
    }

    static Batch batch(List<Record> records, int batchSize, long padId) {
        return new NextTokenRows(PaddedRecordSource.builder(records).batchSize(batchSize).padId(padId).build()).next();
    }

    /** The text of the labelled targets of row {@code r}, in order. */
    static String labelledText(Batch b, int r) {
        int t = b.shape(Batch.TARGETS)[1];
        long[] targets = b.longs(Batch.TARGETS);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            if (targets[r * t + i] != F.IGNORE_INDEX) {
                ids.add((int) targets[r * t + i]);
            }
        }
        return TOKENIZER.decode(ids.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void theEndOfTextLabelIsKeptWhenPaddingUsesItsId() {
        SftEncoder encoder = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 64, LossOn.ASSISTANT);
        Record shortOne = row(encoder.encode(record("hi?", "yo")));
        Record longOne = row(encoder.encode(record("who are you?", "a cat")));
        Batch b = batch(List.of(shortOne, longOne), 2, EOT);                  // PAD == EOS
        int t = b.shape(Batch.IDS)[1];
        assertEquals(longOne.length() - 1, t);
        long[] targets = b.longs(Batch.TARGETS);
        long[] ids = b.longs(Batch.IDS);
        long[] attention = b.longs(Batch.ATTENTION_MASK);
        int lastInput = shortOne.length() - 2;                                // predicts the record's last id, the EOS
        assertEquals(EOT, targets[lastInput], "the real end of text is a target");
        for (int i = shortOne.length(); i < t; i++) {
            assertEquals(EOT, ids[i], "padding written with the EOS id");
            assertEquals(0, attention[i], "padding is not attended");
            assertEquals(F.IGNORE_INDEX, targets[i], "padding is never a target");
        }
        assertEquals(EOT, targets[t + t - 1], "the longer record's EOS is a target too");
    }

    @Test
    void theLabelsAreExactlyTheAnswersAndTheirEndOfTurn() {
        SftEncoder encoder = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 64, LossOn.ASSISTANT);
        Batch b = batch(List.of(row(encoder.encode(record("hi?", "yo", "who?", "a cat")))), 1, 0);
        // Q: hi?\nA: yo<eot>\n\nQ: who?\nA: a cat<eot> — neither "A:" nor the blank line and "Q:" after an answer
        assertEquals(" yo<|endoftext|> a cat<|endoftext|>", labelledText(b, 0));

        SftEncoder all = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 64, LossOn.ALL);
        Batch everything = batch(List.of(row(all.encode(record("hi?", "yo")))), 1, 0);
        assertEquals(": hi?\nA: yo<|endoftext|>", labelledText(everything, 0), "every id after the first");
    }

    @Test
    void aRecordLongerThanTheContextKeepsThePromptsEndAndTheAnswersStart() {
        int block = 11;
        SftEncoder encoder = new SftEncoder(ChatTemplate.qa(), TOKENIZER, block + 1, LossOn.ASSISTANT);
        // 31 prompt ids ("Q: who are you? who are you?\nA:") and 19 answer ids (" a cat who is loud<eot>") for room 12:
        // the prompt keeps half, its last 6, and the answer its first 6, without its end of text
        SftExample e = encoder.encode(record("who are you? who are you?", "a cat who is loud"));
        assertEquals("ou?\nA: a cat", TOKENIZER.decode(e.tokens().ids()));
        assertEquals(25, e.truncation().promptTokensDropped());
        assertEquals(13, e.truncation().responseTokensDropped());
        Batch b = batch(List.of(row(e)), 1, 0);
        assertEquals(block, b.shape(Batch.IDS)[1], "a row of the context's length");
        assertEquals(" a cat", labelledText(b, 0));
    }

    @Test
    void rewindingReturnsTheFirstBatchAgain() {
        SftEncoder encoder = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 64, LossOn.ASSISTANT);
        List<Record> records = List.of(row(encoder.encode(record("hi?", "yo"))), row(encoder.encode(record("who?", "a cat"))));
        NextTokenRows rows = new NextTokenRows(PaddedRecordSource.builder(records).batchSize(1).shuffle(3).build());
        long[] first = rows.next().longs(Batch.IDS);
        rows.next();
        rows.rewind();
        assertArrayEquals(first, rows.next().longs(Batch.IDS));
    }

    @Test
    void packedTargetsNeverCrossFromOneRecordIntoTheNext() {
        SftEncoder all = new SftEncoder(ChatTemplate.qa(), TOKENIZER, 64, LossOn.ALL); // every token labelled, the next record's first too
        Record first = row(all.encode(record("hi?", "yo")));
        Record second = row(all.encode(record("who?", "a cat")));
        Batch packed = new NextTokenRows(PaddedRecordSource.builder(List.of(first, second)).batchSize(1).length(40).padId(EOT).packing(true)
                .build()).next();
        long[] targets = packed.longs(Batch.TARGETS);
        long[] segments = packed.longs(Batch.SEGMENT_IDS);
        assertEquals(39, targets.length);
        assertEquals(F.IGNORE_INDEX, targets[first.length() - 1], "the last token of the first record predicts nothing");
        assertEquals(1, segments[first.length() - 1]);
        assertEquals(2, segments[first.length()]);
        String alone = labelledText(batch(List.of(first), 1, EOT), 0) + labelledText(batch(List.of(second), 1, EOT), 0);
        assertEquals(alone, labelledText(packed, 0), "each record's targets, as alone");
    }
}
