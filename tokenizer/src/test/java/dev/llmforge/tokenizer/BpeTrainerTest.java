package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void mergesTheMostFrequentPairFirst() {
        // pieces "ab", " ab" x2, " cd": (a,b) occurs 3 times, then (" ", ab) twice
        BpeTokenizer tokenizer = new BpeTrainer(258, SplitPattern.GPT2, List.of()).train("ab ab ab cd");
        assertEquals(258, tokenizer.vocabSize());
        assertArrayEquals(utf8("ab"), tokenizer.tokenBytes(256));
        assertArrayEquals(utf8(" ab"), tokenizer.tokenBytes(257));
        assertArrayEquals(new int[] {257, 257}, tokenizer.encode(" ab ab"));
        assertArrayEquals(new int[] {256, 'c', 'd'}, tokenizer.encode("abcd"));
    }

    @Test
    void breaksTiesByTheSmallerPairOfIds() {
        // pieces "cd" and " ab": (c,d), (" ",a), (a,b) each once; (32, 97) is the smallest pair
        BpeTokenizer tokenizer = new BpeTrainer(257, SplitPattern.CL100K, List.of()).train("cd ab");
        assertArrayEquals(utf8(" a"), tokenizer.tokenBytes(256));
    }

    @Test
    void specialTokensTakeTheLastIds() {
        BpeTokenizer tokenizer = new BpeTrainer(300, SplitPattern.CL100K, List.of("<|endoftext|>", "<|pad|>"))
                .train(TestData.shakespeare().substring(0, 50_000));
        assertEquals(300, tokenizer.vocabSize());
        assertEquals(298, tokenizer.specialTokens().requireId("<|endoftext|>"));
        assertEquals(299, tokenizer.specialTokens().requireId("<|pad|>"));
    }

    @Test
    void stopsEarlyWhenNoPairIsLeft() {
        BpeTokenizer tokenizer = new BpeTrainer(1000).train("aaaa");
        // "aaaa" → (a,a) → (aa,aa): two merges, then <|endoftext|>
        assertEquals(256 + 2 + 1, tokenizer.vocabSize());
        assertArrayEquals(new int[] {257}, tokenizer.encode("aaaa"));
    }

    @Test
    void refusesAVocabularyTooSmallForBytesAndSpecials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(256));
        assertTrue(e.getMessage().contains("at least 256 bytes + 1 special tokens = 257, found 256"), e.getMessage());
    }

    @Test
    void trainsA4096VocabularyOnShakespeareQuicklyDeterministicallyAndUsefully() {
        String text = TestData.shakespeare();
        BpeTokenizer first = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> new BpeTrainer(4096).train(text));
        BpeTokenizer second = new BpeTrainer(4096).train(text);
        assertEquals(4096, first.vocabSize());
        for (int id = 0; id < 4095; id++) {
            assertArrayEquals(first.tokenBytes(id), second.tokenBytes(id));
        }
        int[] ids = first.encode(text);
        assertEquals(text, first.decode(ids));
        int bytes = utf8(text).length;
        assertTrue(ids.length < 0.4 * bytes, ids.length + " tokens for " + bytes + " bytes");
    }
}
