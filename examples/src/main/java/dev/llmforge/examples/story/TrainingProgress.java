package dev.llmforge.examples.story;

import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How far a training stage's directory got: its latest checkpoint's step against the planned steps. A finished
 * run is reused; an interrupted one is resumed from its latest checkpoint.
 *
 * @param step  the latest checkpoint's step (0 without one)
 * @param steps the planned steps
 */
record TrainingProgress(long step, long steps) {
    static TrainingProgress of(Path stageDir, long steps) {
        Path latest = stageDir.resolve(Trainer.LATEST_DIR);
        if (!TrainingCheckpoint.exists(latest)) {
            return new TrainingProgress(0, steps);
        }
        try {
            return new TrainingProgress(TrainingCheckpoint.readState(latest).step(), steps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean finished() {
        return step >= steps;
    }

    boolean started() {
        return step > 0;
    }
}
