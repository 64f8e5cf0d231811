package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.examples.story.world.StoryWorld;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code llmforge eval} command that reproduces one figure of the report: the stage's checkpoint, the questions
 * the evaluation asked (written to {@code questions/}), the model's format, the prompt style and exemplars, the
 * sampling, and the batch size (rows generated together; the same settings give the same paths).
 */
final class EvalCommandLine {
    /** {@code llmforge eval}'s name of the base model's plain-text layout. */
    static final String DOCUMENT = "document";

    private EvalCommandLine() {
    }

    /** The command that asks {@code stage}'s model the questions of {@code tasks} in {@code style}, answered as {@code sampling} says. */
    static String of(StoryRun run, String stage, Path tasks, PromptStyle style, Evaluator.Sampling sampling) {
        return of(run, stage, tasks, style, sampling, run.plan().generationBatch());
    }

    /** The same, generating {@code batchSize} rows together. */
    static String of(StoryRun run, String stage, Path tasks, PromptStyle style, Evaluator.Sampling sampling, int batchSize) {
        StringBuilder cmd = new StringBuilder("llmforge eval --checkpoint ").append(run.layout().checkpoint(stage)).append(" --tasks ").append(tasks)
                .append(" --template ").append(Questions.templateOf(stage, run) == null ? DOCUMENT : StoryRun.TEMPLATE)
                .append(" --prompt-style ").append(style.id());
        if (style.usesExemplars()) {
            cmd.append(" --few-shot ").append(run.layout().worldFile(StoryWorld.FEW_SHOT)).append(" --shots ").append(run.plan().shots());
        }
        if (!sampling.isGreedy()) {
            cmd.append(String.format(Locale.ROOT, " --samples %d --temperature %s --top-k %d --seed %d", sampling.samples(), sampling.temperature(),
                    sampling.topK(), sampling.seed()));
        }
        return cmd.append(" --max-new-tokens ").append(sampling.maxNewTokens()).append(" --batch-size ").append(batchSize)
                .append(" --backend ").append(run.backend().name()).toString();
    }
}
