package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * decode(encode(text)) gives back the text: exactly for well-formed strings, and with each lone surrogate
 * replaced by U+FFFD otherwise (UTF-8 cannot carry it; tiktoken does the same).
 */
class RoundTripTest {
    private static final List<BpeTokenizer> BYTE_LEVEL = List.of(BpeTokenizer.gpt2(), TestData.cl100k(),
            new BpeTrainer(600, SplitPattern.CL100K, List.of(SpecialTokens.END_OF_TEXT)).train(
                    TestData.shakespeare().substring(0, 200_000)));

    @Test
    void randomUnicodeSurvivesAByteLevelRoundTrip() {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            String text = RandomText.next(random, 60);
            for (BpeTokenizer tokenizer : BYTE_LEVEL) {
                int[] ids = tokenizer.encode(text);
                assertEquals(TestData.withLoneSurrogatesReplaced(text), tokenizer.decode(ids), text);
            }
        }
    }

    @Test
    void aLoneSurrogateEncodesLikeTheReplacementCharacter() {
        for (BpeTokenizer tokenizer : BYTE_LEVEL) {
            assertArrayEquals(tokenizer.encode("a\uFFFDb\uFFFD"), tokenizer.encode("a\uD800b\uDFFF"));
            assertEquals("a\uFFFDb\uFFFD", tokenizer.decode(tokenizer.encode("a\uD800b\uDFFF")));
        }
    }

    @Test
    void wellFormedTextOfEveryKindRoundTripsExactly() {
        String text = "naïve café 中文 한국어 עברית العربية e\u0301 👩‍⚕️ 🇫🇷 𝟘𝟙 \u0000\u0085\u2028 <|endoftext|>";
        for (BpeTokenizer tokenizer : BYTE_LEVEL) {
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        }
    }

    @Test
    void charTokenizerRoundTripsEveryStringOfItsVocabularyIncludingLoneSurrogates() {
        Random random = new Random(11);
        for (int i = 0; i < 1_000; i++) {
            String text = RandomText.next(random, 60);
            CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        }
    }
}
