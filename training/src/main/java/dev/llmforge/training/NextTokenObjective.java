package dev.llmforge.training;

import dev.llmforge.model.Gpt;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.TensorBatch;

/**
 * Pretraining's objective, nanoGPT's: the mean cross-entropy of the model's next-token predictions
 * for {@link Batch#IDS} against {@link Batch#TARGETS} (windows of a token stream, as
 * {@link dev.llmforge.training.data.WindowSource} makes them).
 */
public final class NextTokenObjective implements Objective {
    private final Gpt model;

    public NextTokenObjective(Gpt model) {
        this.model = model;
    }

    @Override
    public Loss compute(TensorBatch batch) {
        return Loss.of(model.loss(batch.get(Batch.IDS), batch.get(Batch.TARGETS)));
    }
}
