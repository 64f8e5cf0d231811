package dev.llmforge.examples.story;

import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import java.nio.file.Path;

/**
 * Where a story run keeps its files: the world in {@code world/}, one directory per trained stage ({@code base/},
 * {@code sft/}, {@code reward/}, {@code ppo/}, {@code dpo/}, {@code grpo/}, each with {@code best/}, {@code ckpt/},
 * {@code metrics.jsonl} and charts), the labeler's rankings in {@code preferences/}, the questions the evaluation
 * asked in {@code questions/}, and {@code report.md} with its charts at the top.
 */
public record StoryLayout(Path root) {
    public static final String REPORT = "report.md";
    public static final String TIMINGS = "timings.json";
    public static final String PAIRS = "pairs.jsonl";
    public static final String RANKED = "ranked.jsonl";
    /** The reward model's directory under {@code reward/}: its best checkpoint with the normalisation offset. */
    public static final String NORMALISED = "normalised";
    /** The held-out questions the evaluation asked, as eval files: what the report's {@code llmforge eval} commands read. */
    public static final String QUESTIONS = "questions";

    public Path world() {
        return root.resolve("world");
    }

    public Path worldFile(String name) {
        return world().resolve(name);
    }

    public Path rlPrompts() {
        return worldFile(StoryWorld.RL_PROMPTS);
    }

    public Path preferences() {
        return root.resolve("preferences");
    }

    public Path pairs() {
        return preferences().resolve(PAIRS);
    }

    /** An eval file of the questions the evaluation asked ({@link Questions}), under {@code questions/}. */
    public Path questionFile(String name) {
        return root.resolve(QUESTIONS).resolve(name);
    }

    public Path stage(String name) {
        return root.resolve(name);
    }

    /** The checkpoint a stage hands on: its {@code best/} when it has one, else its latest. */
    public Path checkpoint(String stage) {
        Path best = stage(stage).resolve(Trainer.BEST_DIR);
        return TrainingCheckpoint.exists(best) ? best : stage(stage).resolve(Trainer.LATEST_DIR);
    }

    /** The reward model PPO reads: the reward stage's best checkpoint, normalised so that SFT answers score 0 on average. */
    public Path rewardModel() {
        return stage(RewardStage.NAME).resolve(NORMALISED);
    }

    public Path report() {
        return root.resolve(REPORT);
    }

    public Path timings() {
        return root.resolve(TIMINGS);
    }
}
