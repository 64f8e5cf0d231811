package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    @Test
    void holdsBackAnEmojiSplitAcrossThreeTokens() {
        // TestPlans.txt: in r50k_base, " " + U+1F30D is 12520, 234, 235 (bytes 20 F0 9F | 8C | 8D)
        StreamingDecoder decoder = BpeTokenizer.gpt2().newDecoder();
        assertEquals(" ", decoder.push(12520));
        assertEquals("", decoder.push(234));
        assertEquals("\uD83C\uDF0D", decoder.push(235));
        assertEquals("", decoder.finish());
    }

    @Test
    void emitsEachCharacterAsSoonAsItIsComplete() {
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        String text = "Hello, World! How are you today? 🌍 こんにちは";
        StringBuilder streamed = new StringBuilder();
        StreamingDecoder decoder = gpt2.newDecoder();
        for (int id : gpt2.encode(text)) {
            String piece = decoder.push(id);
            assertEquals(-1, piece.indexOf('\uFFFD'), "a piece holds part of a character");
            streamed.append(piece);
        }
        streamed.append(decoder.finish());
        assertEquals(text, streamed.toString());
    }

    @Test
    void streamingEqualsWholeDecodingOnRandomIdsIncludingInvalidUtf8() {
        BpeTokenizer gpt2 = BpeTokenizer.gpt2();
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            int[] ids = new int[random.nextInt(12)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = random.nextBoolean() ? random.nextInt(256) : random.nextInt(gpt2.vocabSize());
            }
            StreamingDecoder decoder = gpt2.newDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                streamed.append(decoder.push(id));
            }
            streamed.append(decoder.finish());
            assertEquals(gpt2.decode(ids), streamed.toString());
        }
    }

    @Test
    void finishTurnsAnIncompleteCharacterIntoAReplacementAndResets() {
        StreamingDecoder decoder = BpeTokenizer.gpt2().newDecoder();
        assertEquals(" ", decoder.push(12520));
        assertEquals("\uFFFD", decoder.finish());
        assertEquals("a", decoder.push(64));
    }

    @Test
    void charTokenizerStreamsOneCharacterPerId() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab😀");
        StreamingDecoder decoder = tokenizer.newDecoder();
        int[] ids = tokenizer.encode("b😀a");
        assertEquals("b", decoder.push(ids[0]));
        assertEquals("😀", decoder.push(ids[1]));
        assertEquals("a", decoder.push(ids[2]));
        assertEquals("", decoder.finish());
    }
}
