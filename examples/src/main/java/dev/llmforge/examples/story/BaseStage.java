package dev.llmforge.examples.story;

import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pretrains the base model on the world's documents (tokenized as the plan says) into {@code base/}. */
final class BaseStage extends TrainingStage {
    static final String NAME = "base";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.pretrain();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        Path dir = run.layout().stage(NAME);
        TokenData tokens = TokenData.isPrepared(dir) ? TokenData.open(dir)
                : DatasetPreparer.prepare(Files.readString(run.layout().worldFile(StoryWorld.PRETRAIN)), run.plan().tokenizer(), dir,
                        DatasetPreparer.NANOGPT_TRAIN_FRACTION, "the story world's documents");
        run.note("base data: " + tokens.describe());
        TrainingConfig config = config(run.plan());
        Pretraining.Builder b = Pretraining.builder().backend(run.backend()).data(tokens).config(config).outputDir(dir).listener(run.progress());
        if (TrainingProgress.of(dir, config.maxIters()).started()) {
            b.resumeFrom(TrainingCheckpoint.resumable(dir.resolve(Trainer.LATEST_DIR)));
        } else {
            b.model(run.plan().model().toBuilder().vocabSize(tokens.vocabSize()).build()).overwrite(true);
        }
        try (Trainer trainer = b.build()) {
            trainer.run();
        }
    }
}
