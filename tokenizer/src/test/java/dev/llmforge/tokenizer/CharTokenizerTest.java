package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {
    private static final CharTokenizer SHAKESPEARE = CharTokenizer.fromCorpus(TestData.shakespeare());

    @TempDir
    Path folder;

    @Test
    void shakespeareGivesNanoGptsSixtyFiveCharacters() {
        assertEquals(65, SHAKESPEARE.vocabSize());
        assertEquals("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                String.join("", SHAKESPEARE.characters()));
        // nanoGPT's shakespeare_char: encode("hii there")
        assertArrayEquals(new int[] {46, 47, 47, 1, 58, 46, 43, 56, 43}, SHAKESPEARE.encode("hii there"));
        assertEquals("hii there", SHAKESPEARE.decode(new int[] {46, 47, 47, 1, 58, 46, 43, 56, 43}));
    }

    @Test
    void savedAndLoadedBackIsTheSameVocabulary() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(TestData.shakespeare() + "😀", List.of("<|endoftext|>"));
        Path file = folder.resolve("vocab.json");
        tokenizer.save(file);
        CharTokenizer loaded = CharTokenizer.load(file);
        assertEquals(tokenizer.characters(), loaded.characters());
        assertEquals(tokenizer.specialTokens().asMap(), loaded.specialTokens().asMap());
        assertTrue(Files.size(file) < 2_000, "size " + Files.size(file));
        String text = "To be😀<|endoftext|>";
        assertArrayEquals(tokenizer.encode(text, SpecialTokenPolicy.SPECIAL),
                loaded.encode(text, SpecialTokenPolicy.SPECIAL));
    }

    @Test
    void aCharacterOutsideTheVocabularyIsNamedWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SHAKESPEARE.encode("café"));
        assertEquals("character 'é' (U+00E9) at index 3 is not in the vocabulary of 65 characters", e.getMessage());
    }

    @Test
    void specialTokensFollowTheCharactersAndArePlainTextByDefault() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab<>", List.of("<a>"));
        assertEquals(4, tokenizer.specialTokens().requireId("<a>"));
        assertArrayEquals(new int[] {2, 4, 3}, tokenizer.encode("a<a>b", SpecialTokenPolicy.SPECIAL)); // < > a b = 0 1 2 3
        assertArrayEquals(new int[] {2, 0, 2, 1, 3}, tokenizer.encode("a<a>b"));
    }

    @Test
    void addedSpecialTokensTakeTheNextIdsAndKeepTheOldOnes() {
        CharTokenizer base = CharTokenizer.fromCorpus("ab", List.of("<|a|>"));
        CharTokenizer grown = base.withAddedSpecialTokens(List.of("<|endoftext|>", "<|im_end|>"));
        assertEquals(5, grown.vocabSize());
        assertEquals(2, grown.specialTokens().requireId("<|a|>"));
        assertEquals(3, grown.specialTokens().requireId("<|endoftext|>"));
        assertEquals(4, grown.specialTokens().requireId("<|im_end|>"));
        assertArrayEquals(new int[] {1, 0, 3}, grown.encode("ba<|endoftext|>", SpecialTokenPolicy.SPECIAL));
        assertThrows(IllegalArgumentException.class, () -> grown.withAddedSpecialTokens(List.of("<|a|>")));
    }

    @Test
    void decodingAnIdOutOfRangeSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SHAKESPEARE.decode(new int[] {3, 65}));
        assertEquals("token id 65 is out of range: expected 0 to 64", e.getMessage());
    }
}
