package dev.llmforge.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed or unsupported files, and bad ids: the exception says what was expected, what was found and where. */
class FormatErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(folder.resolve(name), content);
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
        }
    }

    private TokenizerFormatException tiktokenError(String content) throws IOException {
        Path ranks = file("bad.tiktoken", content);
        return assertThrows(TokenizerFormatException.class,
                () -> BpeTokenizer.fromTiktoken(ranks, SplitPattern.GPT2, Map.of()));
    }

    @Test
    void tiktokenLinesThatAreNotTokenAndRank() throws IOException {
        assertMessage(tiktokenError("IQ== 0\nIg==1\n"), "bad.tiktoken line 2", "expected \"<base64 token> <rank>\"",
                "found \"Ig==1\"");
        assertMessage(tiktokenError("IQ== 0\n@@@ 1\n"), "line 2", "expected a base64 token", "found \"@@@ 1\"");
        assertMessage(tiktokenError("IQ== zero\n"), "line 1", "expected an integer rank", "found \"IQ== zero\"");
        assertMessage(tiktokenError("IQ== 0\nIg== 0\n"), "line 2: rank 0 was already given on line 1");
        assertMessage(tiktokenError(""), "bad.tiktoken", "found none");
    }

    @Test
    void tiktokenVocabularyWithoutEveryByte() throws IOException {
        assertMessage(tiktokenError("IQ== 0\n"), "bad.tiktoken", "needs a token for each of the 256 bytes",
                "byte 0x00 has none");
    }

    @Test
    void missingFile() {
        assertThrows(NoSuchFileException.class, () -> BpeTokenizer.fromHuggingFace(folder.resolve("absent.json")));
    }

    @Test
    void vocabBpeLineThatIsNotAPair() throws IOException {
        Path encoder = TestData.gpt2File("encoder.json");
        Path merges = file("vocab.bpe", "#version: 0.2\nĠ t\nĠ a b\n");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> BpeTokenizer.fromGpt2Files(encoder, merges));
        assertMessage(e, "vocab.bpe line 3: expected two tokens separated by one space, found \"Ġ a b\"");
    }

    @Test
    void vocabBpeThatIsNotUtf8() throws IOException {
        Path encoder = TestData.gpt2File("encoder.json");
        Path merges = Files.write(folder.resolve("vocab.bpe"), new byte[] {'#', '\n', 'a', ' ', 'b', '\n', (byte) 0xff, '\n'});
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromGpt2Files(encoder, merges));
        assertMessage(e, "vocab.bpe line 3: not valid UTF-8");
    }

    @Test
    void vocabBpeMergeOfAnUnknownToken() throws IOException {
        Path encoder = TestData.gpt2File("encoder.json");
        Path merges = file("vocab.bpe", "#version: 0.2\nĠ t\nĠ ☃\n");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> BpeTokenizer.fromGpt2Files(encoder, merges));
        assertMessage(e, "vocab.bpe line 3: merge uses token \"☃\", which is not in the vocabulary");
    }

    @Test
    void encoderJsonThatIsNotAMapOfIds() throws IOException {
        Path merges = file("vocab.bpe", "#version: 0.2\n");
        Path array = file("encoder.json", "[1, 2]");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromGpt2Files(array, merges)),
                "encoder.json: expected a JSON object of token → id, found START_ARRAY");
        Path text = file("encoder2.json", "{\"a\": \"one\"}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromGpt2Files(text, merges)),
                "encoder2.json line 1: expected an integer id for token \"a\", found one");
        Path fractional = file("encoder3.json", "{\"a\": 0.5}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromGpt2Files(fractional, merges)),
                "encoder3.json line 1: expected an integer id for token \"a\", found 0.5");
    }

    @Test
    void tokenizerJsonThatIsNotJson() throws IOException {
        Path json = file("tokenizer.json", "{\"model\": ");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromHuggingFace(json)),
                "tokenizer.json: not valid JSON");
    }

    @Test
    void tokenizerJsonWithUnsupportedParts() throws IOException {
        assertMessage(brokenTokenizerJson(root -> at(root, "/model").put("type", "WordPiece")),
                "model.type: expected \"BPE\", found \"WordPiece\"");
        assertMessage(brokenTokenizerJson(root -> root.putObject("normalizer").put("type", "NFC")),
                "normalizer: expected null (no normalizer), found {\"type\":\"NFC\"}");
        assertMessage(brokenTokenizerJson(root -> at(root, "/pre_tokenizer/pretokenizers/0/pattern").put("Regex", "\\w+")),
                "pre_tokenizer.pretokenizers[0].pattern.Regex: expected one of the regexes",
                "found {\"Regex\":\"\\\\w+\"}");
        assertMessage(brokenTokenizerJson(root -> at(root, "/added_tokens/0").put("special", false)),
                "added_tokens[0].special: expected true (only special added tokens are supported)");
        assertMessage(brokenTokenizerJson(root -> ((ArrayNode) root.at("/model/merges")).set(0, "a b c")),
                "model.merges[0]: expected two tokens separated by one space, found \"a b c\"");
        assertMessage(brokenTokenizerJson(root -> ((ArrayNode) root.at("/model/merges")).set(0, 42)),
                "model.merges[0]: expected a pair of token strings, found 42");
        assertMessage(brokenTokenizerJson(root -> at(root, "/model/vocab").put("Ġthe", -3)),
                "token \"Ġthe\" has id -3");
    }

    @Test
    void fractionalAndOversizedIdsAreRefusedNotTruncated() throws IOException {
        assertMessage(brokenTokenizerJson(root -> at(root, "/model/vocab").put("Ġthe", 7.5)),
                "model.vocab[\"Ġthe\"]: expected an integer id, found 7.5");
        assertMessage(brokenTokenizerJson(root -> at(root, "/added_tokens/0").put("id", 3.25)),
                "added_tokens[0]: expected an object with an integer id", "3.25");
        assertMessage(brokenTokenizerJson(root -> at(root, "/added_tokens/0").put("id", Integer.MAX_VALUE)),
                "has id 2147483647, expected 0 to 16777216");
    }

    @Test
    void aKeyGivenTwiceIsRefused() throws IOException {
        Path file = folder.resolve("tokenizer.json");
        new BpeTrainer(300).train("the cat sat on the mat with the hat").saveHuggingFace(file);
        String json = Files.readString(file);
        String duplicated = json.replaceFirst("\"vocab\"\\s*:\\s*\\{", "\"vocab\": {\n      \"!\": 7,");
        assertTrue(duplicated.length() > json.length(), "the vocabulary was found");
        Files.writeString(file, duplicated);
        assertMessage(assertThrows(TokenizerFormatException.class, () -> TokenizerFiles.load(file)), "tokenizer.json",
                "Duplicate field '!'");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromHuggingFace(file)),
                "Duplicate field '!'");
        Path chars = file("chars.json", "{\"type\": \"char\", \"characters\": [\"a\"], \"type\": \"char\"}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> CharTokenizer.load(chars)), "Duplicate field 'type'");
        Path merges = file("vocab.bpe", "#version: 0.2\n");
        Path encoder = file("encoder.json", "{\"a\": 0,\n \"b\": 1,\n \"a\": 2}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromGpt2Files(encoder, merges)),
                "encoder.json line 3: token \"a\" is listed twice");
    }

    private static ObjectNode at(ObjectNode root, String pointer) {
        return (ObjectNode) root.at(pointer);
    }

    /** A small valid tokenizer.json, changed by {@code change}, must fail to load. */
    private TokenizerFormatException brokenTokenizerJson(Consumer<ObjectNode> change) throws IOException {
        Path file = folder.resolve("tokenizer.json");
        new BpeTrainer(300).train("the cat sat on the mat with the hat").saveHuggingFace(file);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        change.accept(root);
        JSON.writeValue(file.toFile(), root);
        return assertThrows(TokenizerFormatException.class, () -> BpeTokenizer.fromHuggingFace(file));
    }

    @Test
    void charTokenizerFileOfAnotherKind() throws IOException {
        Path json = file("vocab.json", "{\"type\": \"bpe\"}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> CharTokenizer.load(json)),
                "vocab.json: expected {\"type\": \"char\", \"characters\": [...]}, found {\"type\":\"bpe\"}");
        Path twoChars = file("vocab2.json", "{\"type\": \"char\", \"characters\": [\"a\", \"bc\"]}");
        assertMessage(assertThrows(TokenizerFormatException.class, () -> CharTokenizer.load(twoChars)),
                "characters[1]: expected a string of one character, found \"bc\"");
    }

    @Test
    void decodingIdsOutsideTheVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpeTokenizer.gpt2().decode(new int[] {1, 50257}));
        assertEquals("token id 50257 is out of range: expected 0 to 50256", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.gpt2().newDecoder().push(-1));
        assertEquals("token id -1 is out of range: expected 0 to 50256", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TestData.cl100k().decode(new int[] {100261}));
        assertEquals("token id 100261 is not assigned in this vocabulary", e.getMessage());
    }
}
