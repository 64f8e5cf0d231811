package dev.llmforge.training;

import dev.llmforge.distributed.Collective;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.metrics.TrainingListener;
import java.nio.file.Path;

/**
 * The settings a training recipe ({@link Pretraining}, fine-tuning in module {@code alignment}) takes
 * before it builds its {@link Trainer}: the backend, the training configuration, the checkpoint to
 * resume, and those it passes straight through to the {@link Trainer.Builder} (output directory,
 * overwrite, data parallelism, listeners).
 *
 * @param <B> the recipe's own builder, returned by every setting so that calls chain
 */
public abstract class RecipeBuilder<B extends RecipeBuilder<B>> {
    private final Trainer.Builder trainer = Trainer.builder();
    private Backend backend;
    private TrainingConfig config;
    private Path resumeFrom;

    protected RecipeBuilder() {
    }

    /** {@code this}, as the recipe's builder. */
    protected abstract B self();

    /** The backend (default {@link Backends#get()}). */
    public B backend(Backend v) {
        backend = v;
        return self();
    }

    /** How to train (on resume, default the checkpoint's; the default of a fresh run is the recipe's). */
    public B config(TrainingConfig v) {
        config = v;
        return self();
    }

    /** Continue the run saved in this checkpoint directory (model, optimiser, step, the sources' positions). */
    public B resumeFrom(Path checkpointDir) {
        resumeFrom = checkpointDir;
        trainer.resumeFrom(checkpointDir);
        return self();
    }

    /** Where checkpoints ({@code ckpt/}, {@code best/}), {@code metrics.jsonl} and {@code loss.png} go (default: nowhere). */
    public B outputDir(Path v) {
        trainer.outputDir(v);
        return self();
    }

    /** Allow a fresh run to replace the checkpoints and metrics of an earlier run in the output directory. */
    public B overwrite(boolean v) {
        trainer.overwrite(v);
        return self();
    }

    /** Trains data-parallel as one replica of {@code v} ({@link Trainer.Builder#collective}; default: alone); the batch size stays the global one. */
    public B collective(Collective v) {
        trainer.collective(v);
        return self();
    }

    public B listener(TrainingListener v) {
        trainer.listener(v);
        return self();
    }

    /** The trainer's builder, holding the settings passed through; the recipe adds its model, objective and sources. */
    protected final Trainer.Builder trainer() {
        return trainer;
    }

    /** The backend set, else (from now on) {@link Backends#get()}. */
    protected final Backend chosenBackend() {
        if (backend == null) {
            backend = Backends.get();
        }
        return backend;
    }

    /** The configuration set, or null. */
    protected final TrainingConfig chosenConfig() {
        return config;
    }

    /** The checkpoint directory to resume, or null for a fresh run. */
    protected final Path resumeDir() {
        return resumeFrom;
    }
}
