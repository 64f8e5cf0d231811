package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {
    private static final String TEXT = "To be, or not to be: that is the question.";

    @Test
    void eachKindIsSavedAndLoadedBackAsItself(@TempDir Path dir) throws IOException {
        List<Tokenizer> kinds = List.of(CharTokenizer.fromCorpus(TEXT), new BpeTrainer(300).train(TEXT.repeat(5)));
        for (Tokenizer tokenizer : kinds) {
            Path file = dir.resolve("tokenizer.json");
            TokenizerFiles.save(tokenizer, file);
            Tokenizer loaded = TokenizerFiles.load(file);
            assertInstanceOf(tokenizer.getClass(), loaded);
            assertArrayEquals(tokenizer.encode(TEXT), loaded.encode(TEXT));
            assertEquals(Files.readString(file), TokenizerFiles.toJson(tokenizer), "toJson is the saved file");
            try (var listing = Files.list(dir)) {
                assertEquals(List.of(file), listing.toList(), "no temporary file is left behind");
            }
        }
        assertEquals("char tokenizer, 17 tokens", TokenizerFiles.describe(kinds.get(0)));
    }

    @Test
    void filesOfNeitherKindAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{\"type\": ");
        var broken = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(notJson));
        assertTrue(broken.getMessage().startsWith(notJson + ": not valid JSON"), broken.getMessage());
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"vocab\": {}}");
        var neither = assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(other));
        assertTrue(neither.getMessage().contains("found none of them"), neither.getMessage());
        var missing = assertThrows(IOException.class, () -> TokenizerFiles.load(dir.resolve("none.json")));
        assertTrue(missing.getMessage().contains("none.json does not exist"), missing.getMessage());
    }

    /**
     * The same arithmetic corpus: cl100k's pre-tokenizer lets merges join the digits of a frequent number, the
     * digit-splitting one never does, and a saved {@code bpe:N:digits} tokenizer loads back with its pre-tokenizer.
     */
    @Test
    void bpeWithDigitsNeverMergesDigits(@TempDir Path dir) throws IOException {
        String corpus = "Now I'm 70, so she is 70 - 3 = 67. The answer is 67.\n".repeat(50);
        BpeTokenizer grouped = (BpeTokenizer) TokenizerFiles.fromSpec("bpe:400", corpus);
        BpeTokenizer digits = (BpeTokenizer) TokenizerFiles.fromSpec("BPE:400:digits", corpus);
        assertEquals(SplitPattern.CL100K, grouped.splitPattern());
        assertEquals(SplitPattern.CL100K_DIGITS, digits.splitPattern());
        assertEquals(1, grouped.encode("67").length, "cl100k merged the frequent 67");
        assertEquals(2, digits.encode("67").length);
        for (int id = 0; id < digits.vocabSize(); id++) {
            String token = new String(digits.tokenBytes(id), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(token.chars().filter(Character::isDigit).count() <= 1, "token " + id + " \"" + token + "\" holds two digits");
        }
        Path file = dir.resolve("tokenizer.json");
        TokenizerFiles.save(digits, file);
        BpeTokenizer loaded = (BpeTokenizer) TokenizerFiles.load(file);
        assertEquals(SplitPattern.CL100K_DIGITS, loaded.splitPattern());
        assertArrayEquals(digits.encode(corpus), loaded.encode(corpus));
    }

    @Test
    void tokenizerSpecsAreChecked() {
        var e = assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.fromSpec("wordpiece", "abc"));
        assertTrue(e.getMessage().contains("char, gpt2, bpe:N or bpe:N:digits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.fromSpec("bpe:lots", "abc"));
        var badSuffix = assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.fromSpec("bpe:300:digit", "abc"));
        assertTrue(badSuffix.getMessage().contains("found '300:digit' for N"), badSuffix.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.fromSpec("bpe:100", "abc"));
        assertEquals(50257, TokenizerFiles.fromSpec(" GPT2 ", "").vocabSize());
    }
}
