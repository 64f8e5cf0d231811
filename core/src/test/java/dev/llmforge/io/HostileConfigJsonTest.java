package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.GptConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json values of the wrong type or given twice are errors naming the file and the key, never silent defaults. */
class HostileConfigJsonTest {
    @TempDir
    Path dir;

    private CheckpointFormatException readFails(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), json);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ConfigJson.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void huggingFaceValuesOfTheWrongTypeAreErrorsNotDefaults() throws IOException {
        String[][] cases = {
            {"\"n_embd\": \"abc\"", "\"n_embd\" must be an integer, found \"abc\""},
            {"\"n_layer\": 2.5", "\"n_layer\" must be an integer, found 2.5"},
            {"\"vocab_size\": 1e12", "\"vocab_size\" must be an integer"},
            {"\"n_positions\": [1024]", "\"n_positions\" must be an integer"},
            {"\"n_inner\": \"3072\"", "\"n_inner\" must be an integer"},
            {"\"layer_norm_epsilon\": \"1e-5\"", "\"layer_norm_epsilon\" must be a number"},
            {"\"tie_word_embeddings\": \"false\"", "\"tie_word_embeddings\" must be true or false"},
            {"\"activation_function\": 7", "\"activation_function\" must be a string"},
        };
        for (String[] c : cases) {
            CheckpointFormatException e = readFails("{\"model_type\": \"gpt2\", " + c[0] + "}");
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void absentOrNullHuggingFaceKeysTakeGpt2Defaults() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_inner\": null, \"n_layer\": 2}");
        assertEquals(GptConfig.gpt2Small().toBuilder().nLayer(2).build(), ConfigJson.read(file));
    }

    @Test
    void aKeyGivenTwiceIsRefused() throws IOException {
        CheckpointFormatException e = readFails("{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_layer\": 200000}");
        assertTrue(e.getMessage().contains("Duplicate field 'n_layer'"), e.getMessage());
    }
}
