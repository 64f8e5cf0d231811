package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceSaveTest {
    @TempDir
    Path folder;

    @Test
    void gpt2SavedAndLoadedBackEncodesIdentically() throws IOException {
        Path file = folder.resolve("gpt2/tokenizer.json");
        BpeTokenizer.gpt2().saveHuggingFace(file);
        assertSameEncodings(BpeTokenizer.gpt2(), BpeTokenizer.fromHuggingFace(file));
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("BPE", json.at("/model/type").asText());
        assertEquals(50_257, json.at("/model/vocab").size());
        assertEquals(50_256, json.at("/model/vocab/<|endoftext|>").asInt());
        assertEquals("<|endoftext|>", json.at("/added_tokens/0/content").asText());
        assertEquals(50_256, json.at("/added_tokens/0/id").asInt());
        assertEquals("ByteLevel", json.at("/pre_tokenizer/type").asText());
    }

    @Test
    void cl100kSavedAndLoadedBackMatchesTiktoken() throws IOException {
        Path file = folder.resolve("tokenizer.json");
        TestData.cl100k().saveHuggingFace(file);
        BpeTokenizer loaded = BpeTokenizer.fromHuggingFace(file);
        assertEquals(SplitPattern.CL100K, loaded.splitPattern());
        for (TiktokenVectorsTest.Vector v : TiktokenVectorsTest.vectors("cl100k_base")) {
            SpecialTokenPolicy policy = v.special() ? SpecialTokenPolicy.SPECIAL : SpecialTokenPolicy.PLAIN_TEXT;
            assertArrayEquals(v.ids(), loaded.encode(v.text(), policy), v.text());
        }
    }

    @Test
    void trainedTokenizersOfEachPatternSaveAndLoadBack() throws IOException {
        String corpus = TestData.shakespeare().substring(0, 300_000);
        for (SplitPattern pattern : SplitPattern.values()) {
            BpeTokenizer trained = new BpeTrainer(1000, pattern, List.of(SpecialTokens.END_OF_TEXT)).train(corpus);
            Path file = folder.resolve(pattern + ".json");
            trained.saveHuggingFace(file);
            BpeTokenizer loaded = BpeTokenizer.fromHuggingFace(file);
            assertEquals(pattern, loaded.splitPattern());
            assertEquals(trained.specialTokens().asMap(), loaded.specialTokens().asMap());
            assertSameEncodings(trained, loaded);
        }
    }

    @Test
    void savingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = folder.resolve("tokenizer.json");
        Files.writeString(file, "old content");
        new BpeTrainer(300).train("some text to learn from").saveHuggingFace(file);
        assertTrue(Files.readString(file).contains("\"BPE\""));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    private static void assertSameEncodings(BpeTokenizer expected, BpeTokenizer actual) {
        String shakespeare = TestData.shakespeare();
        assertArrayEquals(expected.encode(shakespeare), actual.encode(shakespeare));
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            String text = RandomText.next(random, 40) + "<|endoftext|>" + RandomText.next(random, 10);
            assertArrayEquals(expected.encode(text, SpecialTokenPolicy.SPECIAL),
                    actual.encode(text, SpecialTokenPolicy.SPECIAL), text);
        }
        assertEquals(expected.vocabSize(), actual.vocabSize());
    }
}
