package dev.llmforge.examples.story;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.metrics.ConsoleProgress;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What every stage of one story run shares: the plan, the output layout, the seed, the backend and where progress
 * is printed; and the steps training stages have in common.
 */
public record StoryRun(StoryPlan plan, StoryLayout layout, long seed, Backend backend, PrintWriter out) {
    /** The fine-tuned models' format: the seed's Q&A text, answers closed by {@code <|endoftext|>}. */
    public static final String TEMPLATE = "qa";
    static final int LOG_INTERVAL = 50;

    ChatTemplate template() {
        return ChatTemplate.named(TEMPLATE);
    }

    TrainingListener progress() {
        return new ConsoleProgress(out, LOG_INTERVAL);
    }

    void note(String line) {
        out.println(line);
        out.flush();
    }

    /** A stage's model, loaded on the run's backend. */
    Gpt load(String stage) throws IOException {
        return Checkpoint.loadModel(layout.checkpoint(stage), backend);
    }

    Tokenizer tokenizer(String stage) throws IOException {
        return TrainingCheckpoint.tokenizer(layout.checkpoint(stage));
    }

    /**
     * Finishes a trainer of a stage — settings, the tokenizer saved with every checkpoint, the stage's directory,
     * progress, and the resume point when an earlier run stopped part way — and trains to the planned steps.
     */
    void train(String stage, Trainer.Builder builder, TrainingConfig config, Tokenizer tokenizer) throws IOException {
        Path dir = layout.stage(stage);
        builder.backend(backend).config(config).tokenizerJson(TokenizerFiles.toJson(tokenizer)).outputDir(dir).listener(progress());
        if (TrainingProgress.of(dir, config.maxIters()).started()) {
            builder.resumeFrom(TrainingCheckpoint.resumable(dir.resolve(Trainer.LATEST_DIR)));
        } else {
            builder.overwrite(true); // a directory without a checkpoint holds nothing to keep
        }
        try (Trainer trainer = builder.build()) {
            trainer.run();
        }
    }
}
