package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The three published forms of GPT-2's vocabulary, and cl100k, on Tiny Shakespeare. */
class Gpt2SourcesTest {
    @Test
    void tokenizerJsonEncoderJsonAndTiktokenRanksEncodeShakespeareIdentically() throws IOException {
        String text = TestData.shakespeare();
        int[] fromTiktoken = BpeTokenizer.gpt2().encode(text);
        assertEquals(338_025, fromTiktoken.length); // tiktoken r50k_base, Hugging Face and JTokkit agree on this
        assertArrayEquals(fromTiktoken, BpeTokenizer.fromHuggingFace(TestData.gpt2File("tokenizer.json")).encode(text));
        assertArrayEquals(fromTiktoken, BpeTokenizer.fromGpt2Files(TestData.gpt2File("encoder.json"),
                TestData.gpt2File("vocab.bpe")).encode(text));
        assertEquals(text, BpeTokenizer.gpt2().decode(fromTiktoken));
    }

    @Test
    void cl100kEncodesShakespeareToTiktokensCount() {
        String text = TestData.shakespeare();
        int[] ids = TestData.cl100k().encode(text);
        assertEquals(301_829, ids.length); // tiktoken 0.14 cl100k_base
        assertEquals(text, TestData.cl100k().decode(ids));
    }

    @Test
    void encodesIdenticallyFromSeveralThreadsAtOnce() throws Exception {
        String text = TestData.shakespeare();
        int[] expected = BpeTokenizer.gpt2().encode(text);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> BpeTokenizer.gpt2().encode(text)));
            }
            for (Future<int[]> result : results) {
                assertArrayEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aHugePieceIsMergedAsTiktokenMergesIt() {
        String letters = "ab".repeat(100_000); // one piece of 200,000 bytes
        int[] ids = BpeTokenizer.gpt2().encode(letters);
        assertArrayEquals(IntStream.generate(() -> 397).limit(100_000).toArray(), ids); // tiktoken 0.14: all "ab"
        assertEquals(letters, BpeTokenizer.gpt2().decode(ids));
    }

    @Test
    void gpt2VocabularyHasTheExpectedShape() {
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        assertEquals(50_257, gpt2.vocabSize());
        assertEquals(50_256, gpt2.specialTokens().requireId(SpecialTokens.END_OF_TEXT));
        assertArrayEquals(" the".getBytes(java.nio.charset.StandardCharsets.UTF_8), gpt2.tokenBytes(262));
        assertEquals(SplitPattern.GPT2, gpt2.splitPattern());
    }
}
