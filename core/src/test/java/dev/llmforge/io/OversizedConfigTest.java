package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.TinyModels;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint whose config.json asks for far more than its weights hold is refused from the
 * safetensors header, before a model is built (building 200,000 layers or a 2^31-row embedding
 * first ran out of memory).
 */
class OversizedConfigTest {
    private final Backend backend = TinyModels.reference();

    @TempDir
    Path dir;

    private Path ckpt;

    @BeforeEach
    void saveTinyModel() throws IOException {
        ckpt = dir.resolve("ckpt");
        try (Gpt model = new Gpt(TinyModels.gpt2(), backend, 4)) {
            Checkpoint.save(ckpt, model);
        }
    }

    private CheckpointFormatException loadFails(String key, String value) throws IOException {
        Path config = ckpt.resolve(Checkpoint.CONFIG);
        String json = Files.readString(config);
        String changed = json.replaceFirst("\"" + key + "\"\\s*:\\s*\\d+", "\"" + key + "\": " + value);
        assertTrue(!changed.equals(json), key + " was replaced");
        Files.writeString(config, changed);
        CheckpointFormatException model = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadModel(ckpt, Tensor.on(backend))));
        CheckpointFormatException configOnly = assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadConfig(ckpt));
        assertEquals(model.getMessage(), configOnly.getMessage(), "loadConfig checks the same");
        assertTrue(model.getMessage().contains(config.toString()) && model.getMessage().contains(Checkpoint.WEIGHTS), model.getMessage());
        return model;
    }

    @Test
    void aHugeLayerCountIsRefusedFromTheHeader() throws IOException {
        CheckpointFormatException e = loadFails("n_layer", "200000");
        assertTrue(e.getMessage().contains("n_layer 200000") && e.getMessage().contains("it holds 2 layers (h.0 to h.1)"), e.getMessage());
    }

    @Test
    void aHugeVocabularyIsRefusedFromTheHeader() throws IOException {
        CheckpointFormatException e = loadFails("vocab_size", Integer.toString(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("'wte.weight' has shape [11, 8], expected (vocab_size, n_embd) = [2147483647, 8]"),
                e.getMessage());
    }

    @Test
    void aWiderMlpThanTheWeightsIsRefusedFromTheParameterCount() throws IOException {
        CheckpointFormatException e = loadFails("ffn_hidden", "100000000");
        assertTrue(e.getMessage().contains("it holds " + String.format("%,d", TinyModels.gpt2().parameterCount()) + " parameter values"),
                e.getMessage());
    }

    @Test
    void theParameterCountOfAConfigIsTheBuiltModels() {
        GptConfig[] configs = {
            TinyModels.gpt2(),
            TinyModels.gpt2().toBuilder().bias(false).tieWeights(false).build(),
            TinyModels.llama(),
            TinyModels.llama().toBuilder().bias(true).tieWeights(false).build(),
            GptConfig.shakespeareChar(65),
        };
        for (GptConfig c : configs) {
            try (Gpt model = new Gpt(c, backend, 1)) {
                assertEquals(model.parameterCount(), c.parameterCount(), c.toString());
            }
        }
    }

    @Test
    void parameterCountsSaturateInsteadOfOverflowing() {
        GptConfig huge = GptConfig.gpt2(Integer.MAX_VALUE, 8, Integer.MAX_VALUE, 1, 1 << 20);
        assertEquals(Long.MAX_VALUE, huge.parameterCount());
    }
}
