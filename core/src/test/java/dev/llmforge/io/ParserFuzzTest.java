package dev.llmforge.io;

import static dev.llmforge.testing.FileFuzzer.assertOnlyTypedErrors;
import static dev.llmforge.testing.FileFuzzer.assertOnlyTypedErrorsFromFile;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.InsufficientMemoryException;
import dev.llmforge.model.TinyModels;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each model-file parser of core on seeded mutants of a valid file (truncations, bit flips, hostile
 * lengths): it succeeds or throws its own typed error, never a raw runtime exception, an
 * OutOfMemoryError or a stack overflow, within a time bound.
 */
class ParserFuzzTest {
    private static final int MUTANTS = 300;
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Backend backend = TinyModels.reference();
    private final TensorFactory tensors = Tensor.on(backend);

    @TempDir
    Path dir;

    private Path savedCheckpoint(GptConfig config) throws IOException {
        Path ckpt = dir.resolve("ckpt");
        try (Gpt model = new Gpt(config, backend, 3)) {
            Checkpoint.save(ckpt, model);
        }
        return ckpt;
    }

    @Test
    void safetensors() throws IOException {
        Path ckpt = savedCheckpoint(TinyModels.gpt2());
        byte[] valid = Files.readAllBytes(ckpt.resolve(Checkpoint.WEIGHTS));
        assertOnlyTypedErrors(valid, 1, MUTANTS, BOUND, bytes -> {
            try (SafeTensors st = SafeTensors.read(ByteBuffer.wrap(bytes), "fuzz.safetensors"); TensorScope ignored = TensorScope.open()) {
                for (String name : st.tensors().keySet()) {
                    st.load(name, tensors);
                }
            }
        }, CheckpointFormatException.class);
    }

    @Test
    void checkpointConfigJson() throws IOException {
        Path ckpt = savedCheckpoint(TinyModels.llama());
        byte[] valid = Files.readAllBytes(ckpt.resolve(Checkpoint.CONFIG));
        assertOnlyTypedErrorsFromFile(ckpt.resolve(Checkpoint.CONFIG), valid, 2, MUTANTS, BOUND, f -> Checkpoint.loadModel(ckpt, tensors).close(),
                CheckpointFormatException.class, InsufficientMemoryException.class);
    }

    @Test
    void huggingFaceConfigJson() throws IOException {
        byte[] valid = ("{\"model_type\": \"gpt2\", \"vocab_size\": 11, \"n_positions\": 8, \"n_layer\": 2, \"n_head\": 2, \"n_embd\": 8,"
                + " \"n_inner\": null, \"activation_function\": \"gelu_new\", \"layer_norm_epsilon\": 1e-05, \"tie_word_embeddings\": true}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = dir.resolve("config.json");
        assertOnlyTypedErrorsFromFile(file, valid, 3, MUTANTS, BOUND, f -> ConfigJson.read(f), CheckpointFormatException.class);
    }

    @Test
    void llama2cCheckpoint() {
        byte[] valid;
        try (Gpt model = new Gpt(TinyModels.llama().toBuilder().tieWeights(false).build(), backend, 5)) {
            valid = Llama2cTest.export(model);
        }
        assertOnlyTypedErrors(valid, 4, MUTANTS, BOUND, bytes -> Llama2c.load(ByteBuffer.wrap(bytes), "fuzz.bin", tensors).close(),
                CheckpointFormatException.class, InsufficientMemoryException.class);
    }

    @Test
    void llama2cTokenizer() {
        assertOnlyTypedErrors(Llama2cTest.vocabFile(), 5, MUTANTS, BOUND, bytes -> Llama2cTokenizer.read(ByteBuffer.wrap(bytes), 265, "tok.bin"),
                CheckpointFormatException.class);
    }
}
