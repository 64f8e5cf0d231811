package dev.llmforge.tokenizer;

import static dev.llmforge.testing.FileFuzzer.assertOnlyTypedErrorsFromFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each tokenizer file reader on seeded mutants of a valid file (truncations, bit flips, hostile
 * numbers): it loads or throws a {@link TokenizerFormatException} naming the file, within a time bound.
 */
class TokenizerFuzzTest {
    private static final int MUTANTS = 300;
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String CORPUS = "the cat sat on the mat with the hat; the dog sat on the log with the frog";

    @TempDir
    Path dir;

    private byte[] huggingFaceJson() throws IOException {
        Path file = dir.resolve("valid.json");
        new BpeTrainer(300).train(CORPUS).saveHuggingFace(file);
        return Files.readAllBytes(file);
    }

    @Test
    void huggingFaceTokenizerJson() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        assertOnlyTypedErrorsFromFile(file, huggingFaceJson(), 11, MUTANTS, BOUND, f -> TokenizerFiles.load(f),
                TokenizerFormatException.class);
    }

    @Test
    void charTokenizerJson() throws IOException {
        Path valid = dir.resolve("valid.json");
        CharTokenizer.fromCorpus(CORPUS, List.of("<|endoftext|>")).save(valid);
        Path file = dir.resolve("tokenizer.json");
        assertOnlyTypedErrorsFromFile(file, Files.readAllBytes(valid), 12, MUTANTS, BOUND, f -> TokenizerFiles.load(f),
                TokenizerFormatException.class);
    }

    /** encoder.json and vocab.bpe of the same small BPE, from its tokenizer.json. */
    @Test
    void gpt2EncoderJsonAndMerges() throws IOException {
        JsonNode model = new ObjectMapper().readTree(huggingFaceJson()).get("model");
        byte[] encoder = new ObjectMapper().writeValueAsBytes(model.get("vocab"));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        model.get("merges").forEach(m -> merges.append(m.asText()).append('\n'));
        byte[] vocabBpe = merges.toString().getBytes(StandardCharsets.UTF_8);
        Path encoderFile = dir.resolve("encoder.json");
        Path mergesFile = dir.resolve("vocab.bpe");
        Files.write(mergesFile, vocabBpe);
        assertOnlyTypedErrorsFromFile(encoderFile, encoder, 13, MUTANTS, BOUND, f -> BpeTokenizer.fromGpt2Files(f, mergesFile),
                TokenizerFormatException.class);
        Files.write(encoderFile, encoder);
        assertOnlyTypedErrorsFromFile(mergesFile, vocabBpe, 14, MUTANTS, BOUND, f -> BpeTokenizer.fromGpt2Files(encoderFile, f),
                TokenizerFormatException.class);
    }
}
