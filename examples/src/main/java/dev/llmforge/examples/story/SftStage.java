package dev.llmforge.examples.story;

import dev.llmforge.alignment.sft.Sft;
import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.model.Gpt;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import java.nio.file.Path;
import java.util.List;

/** Fine-tunes the base model on the world's conversations in the Q&A template, into {@code sft/}. */
final class SftStage extends TrainingStage {
    static final String NAME = "sft";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.sft();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        Path dir = run.layout().stage(NAME);
        TrainingConfig config = config(run.plan());
        Sft.Builder b = Sft.builder().backend(run.backend()).data(List.of(run.layout().worldFile(StoryWorld.SFT))).template(StoryRun.TEMPLATE)
                .config(config).answerEvaluation(0, 1).outputDir(dir).listener(run.progress()).report(run::note);
        if (TrainingProgress.of(dir, config.maxIters()).started()) {
            try (Trainer trainer = b.resumeFrom(TrainingCheckpoint.resumable(dir.resolve(Trainer.LATEST_DIR))).build()) {
                trainer.run();
            }
            return;
        }
        try (Gpt base = run.load(BaseStage.NAME);
             Trainer trainer = b.model(base, run.tokenizer(BaseStage.NAME)).overwrite(true).build()) {
            trainer.run();
        }
    }
}
