package dev.llmforge.training;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A training checkpoint: core's model directory for the run's primary model
 * ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json}, {@code optimizer.safetensors}
 * for the first optimiser), the other models and optimisers under their names
 * ({@code model.NAME.safetensors}, {@code config.NAME.json} for a {@link Gpt},
 * {@code optimizer.NAME.safetensors}), and {@code trainer.json} (a {@link TrainingState}), written
 * in one atomic directory swap by {@link Checkpoint.Writer}. {@code Checkpoint.loadModel} and
 * {@code llmforge generate} read the primary model as a plain model directory.
 */
public final class TrainingCheckpoint {
    public static final String STATE_FILE = "trainer.json";

    private TrainingCheckpoint() {
    }

    /** The weights file of a model: {@code model.safetensors} for the primary model, else {@code model.NAME.safetensors}. */
    public static String weightsFile(String model, boolean primary) {
        return primary ? Checkpoint.WEIGHTS : "model." + model + ".safetensors";
    }

    /** The config file of a model: {@code config.json} for the primary model, else {@code config.NAME.json}. */
    public static String configFile(String model, boolean primary) {
        return primary ? Checkpoint.CONFIG : "config." + model + ".json";
    }

    /** The state file of an optimiser: {@code optimizer.safetensors} for the first, else {@code optimizer.NAME.safetensors}. */
    public static String optimizerFile(String optimizer, boolean primary) {
        return primary ? Checkpoint.OPTIMIZER : "optimizer." + optimizer + ".safetensors";
    }

    /**
     * Writes every part to {@code dir} at once: the directory is built under a temporary name and
     * swapped in, so a failure at any point leaves the previous checkpoint as it was.
     *
     * @param models        the run's models, the primary first
     * @param optimizers    empty to leave out the optimiser state (a checkpoint for inference only)
     * @param tokenizerJson null to leave out the tokenizer
     */
    public static void write(Path dir, List<NamedModel> models, List<NamedOptimizer> optimizers, String tokenizerJson, TrainingState state)
            throws IOException {
        Checkpoint.Writer writer = Checkpoint.writer(dir).file(STATE_FILE, state.toJson());
        for (int i = 0; i < models.size(); i++) {
            NamedModel m = models.get(i);
            writer.weights(weightsFile(m.name(), i == 0), m.module());
            if (m.module() instanceof Gpt gpt) {
                writer.config(configFile(m.name(), i == 0), gpt.config());
            }
        }
        for (int i = 0; i < optimizers.size(); i++) {
            writer.optimizer(optimizerFile(optimizers.get(i).name(), i == 0), optimizers.get(i).optimizer());
        }
        if (tokenizerJson != null) {
            writer.tokenizerJson(tokenizerJson);
        }
        writer.write();
    }

    /** Loads every model's parameters and every optimiser's state from {@code dir} (names and order as written). */
    static void load(Path dir, List<NamedModel> models, List<NamedOptimizer> optimizers) throws IOException {
        for (int i = 0; i < models.size(); i++) {
            Checkpoint.loadWeights(dir, weightsFile(models.get(i).name(), i == 0), models.get(i).module());
        }
        for (int i = 0; i < optimizers.size(); i++) {
            Checkpoint.loadOptimizer(dir, optimizerFile(optimizers.get(i).name(), i == 0), optimizers.get(i).optimizer());
        }
    }

    /** True if {@code dir} holds a training checkpoint. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    /** The training state saved in {@code dir}. */
    public static TrainingState readState(Path dir) throws IOException {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " is not a training checkpoint: it has no " + STATE_FILE);
        }
        return TrainingState.fromJson(Files.readAllBytes(file), file.toString());
    }

    /** The tokenizer saved with the checkpoint, if any. */
    public static Tokenizer tokenizer(Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " has no " + Checkpoint.TOKENIZER + ": cannot turn its token ids into text");
        }
        return TokenizerFiles.load(file);
    }

    /**
     * The checkpoint to resume from at {@code dir}: {@code dir} itself, or, if a crash happened in the
     * instant between moving the old directory aside and moving the new one in, the previous
     * checkpoint left under its {@code .NAME.old-*} name (the newest one). A run starting in the
     * output directory deletes older runs' leftovers ({@link Checkpoint#removeLeftovers}), so the
     * one found is this run's.
     *
     * @throws IOException if there is neither
     */
    public static Path resumable(Path dir) throws IOException {
        if (exists(dir)) {
            return dir;
        }
        return Checkpoint.movedAside(dir, STATE_FILE)
                .orElseThrow(() -> new IOException("no training checkpoint at " + dir + " (expected " + STATE_FILE + " there)"));
    }
}
