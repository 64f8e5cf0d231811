package dev.llmforge.examples.story;

import dev.llmforge.examples.story.world.WorldSize;
import dev.llmforge.model.GptConfig;
import dev.llmforge.training.TrainingConfig;
import java.util.List;
import java.util.Map;

/**
 * The sizes of one story run: the world, the model, each stage's training settings and the evaluation's. Two
 * presets: {@link #quick()} (a tiny world and model, for CI) and {@link #full()}.
 *
 * @param name              the preset's name, as the report states it
 * @param world             the world's sizes
 * @param tokenizer         how the pretraining text is tokenized ({@code char}, {@code bpe:N}: {@code llmforge prepare}'s names)
 * @param model             the base model's shape (the vocabulary comes from the pretraining text)
 * @param pretrain          pretraining of the base model
 * @param sft               supervised fine-tuning
 * @param reward            the reward model (batch size = prompts per batch)
 * @param ppo               PPO (batch size unused: {@link #rolloutPrompts} prompts per step)
 * @param dpo               DPO (batch size = prompts per batch)
 * @param grpo              GRPO ({@link #rolloutPrompts} prompts per step, {@link #groupSize} responses to each)
 * @param rankedSamples     answers sampled from the SFT model per prompt for the labeler to rank
 * @param rankedPrompts     reinforcement-learning prompts whose answers are ranked (at most the world's)
 * @param rolloutPrompts    prompts per PPO / GRPO step
 * @param groupSize         GRPO's responses per prompt
 * @param maxNewTokens      the longest response, everywhere
 * @param evalQuestions     held-out questions of each kind put to every model (at most the world's)
 * @param shots             exemplars in a few-shot prompt
 * @param selfConsistencyK  the numbers of sampled paths of the self-consistency study
 * @param generationBatch   sequences generated together
 */
public record StoryPlan(String name, WorldSize world, String tokenizer, GptConfig model, TrainingConfig pretrain, TrainingConfig sft, TrainingConfig reward,
                        TrainingConfig ppo, TrainingConfig dpo, TrainingConfig grpo, int rankedSamples, int rankedPrompts, int rolloutPrompts,
                        int groupSize, int maxNewTokens, int evalQuestions, int shots, List<Integer> selfConsistencyK, int generationBatch) {
    /** The temperature of self-consistency's sampled paths (Wang et al. use 0.5–0.7). */
    public static final double VOTE_TEMPERATURE = 0.7;
    /** Self-consistency's top-k (Wang et al.: 40). */
    public static final int VOTE_TOP_K = 40;
    /** The reward-centering coefficient of the reward model (TRL's suggestion). */
    public static final double REWARD_CENTERING = 0.01;

    public StoryPlan {
        selfConsistencyK = List.copyOf(selfConsistencyK);
        if (maxNewTokens >= model.blockSize()) {
            throw new IllegalArgumentException("responses of " + maxNewTokens + " tokens do not fit the context of " + model.blockSize());
        }
    }

    /**
     * A tiny world (48 countries, 12 held out) and model (2 layers, width 64, context 320): every stage runs for a few
     * dozen to a few hundred steps, two values of K, one few-shot exemplar (a longer prompt is read from its end). It
     * shows the form of the report and that SFT answers where the base model continues; its other figures are too
     * noisy to read much into.
     */
    public static StoryPlan quick() {
        GptConfig model = GptConfig.shakespeareChar(1).toBuilder().nLayer(2).nHead(4).nEmbd(64).blockSize(320).dropout(0).build();
        return new StoryPlan("quick", WorldSize.quick(), "char", model,
                schedule(8, 300, 3e-3, 150, 4), schedule(8, 120, 1e-3, 60, 4), schedule(4, 24, 5e-4, 12, 4),
                constant(4, 3e-5, 2), schedule(4, 24, 1e-4, 12, 4), constant(4, 3e-5, 2),
                4, 24, 8, 4, 150, 24, 1, List.of(1, 3), 48);
    }

    /**
     * Run G of story-world.md's sizing, budgeted toward the hour on 2 cores (docs/story.md): world C (60 countries, 40 held
     * out, 60 articles and 10 table rows per country, 60 worksheets, 300 worked problems: the same pretraining text,
     * byte for byte, on which G recalled 24 of 40 held-out capitals), a BPE tokenizer of 1,024 tokens, a context of 512
     * that holds three-shot chain-of-thought prompts, and G's schedule stretched to twice its length (1,200 steps of
     * 8 × 512 tokens, peak 2e-3, 20 warmup steps: after G's 600 steps the SFT model named training countries for
     * held-out ones, docs/story-report.md). SFT for 300 steps of 16 examples. Responses up to 100 tokens (the world's
     * longest answer is about 65). Self-consistency with K = 1, 5, 10, 20, 40 over 300 held-out age problems.
     */
    public static StoryPlan full() {
        WorldSize world = WorldSize.full().with(Map.of("countries", "60", "held-out-countries", "40", "articles-per-country", "60",
                "table-rows-per-country", "10", "worksheets", "60", "worked-problems", "300", "eval-age-problems", "300"));
        GptConfig model = GptConfig.shakespeareChar(1).toBuilder().nLayer(4).nHead(4).nEmbd(128).blockSize(512).dropout(0).build();
        TrainingConfig base = schedule(8, 1200, 2e-3, 200, 4).toBuilder().warmupIters(20).build();
        return new StoryPlan("full", world, "bpe:1024", model,
                base, schedule(16, 300, 5e-4, 100, 10), schedule(8, 200, 2e-4, 50, 10),
                constant(150, 1e-5, 50), schedule(8, 200, 1e-5, 50, 10), constant(60, 1e-5, 20),
                4, 300, 16, 8, 100, 300, 3, List.of(1, 5, 10, 20, 40), 64);
    }

    /** {@code quick} or {@code full}. */
    public static StoryPlan named(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            default -> throw new IllegalArgumentException("unknown story plan \"" + name + "\"; expected quick or full");
        };
    }

    /** The plan with every stage's training seeded from {@code seed}. */
    public StoryPlan seeded(long seed) {
        return new StoryPlan(name, world, tokenizer, model, pretrain.toBuilder().seed(seed).build(), sft.toBuilder().seed(seed).build(),
                reward.toBuilder().seed(seed).build(), ppo.toBuilder().seed(seed).build(), dpo.toBuilder().seed(seed).build(),
                grpo.toBuilder().seed(seed).build(), rankedSamples, rankedPrompts, rolloutPrompts, groupSize, maxNewTokens, evalQuestions,
                shots, selfConsistencyK, generationBatch);
    }

    /** Warmup of a tenth, cosine decay to a tenth of the peak, AdamW with weight decay 0.1, clipping at 1. */
    private static TrainingConfig schedule(int batch, long steps, double lr, long evalInterval, int evalIters) {
        return TrainingConfig.builder().batchSize(batch).maxIters(steps).learningRate(lr).minLr(lr / 10).warmupIters(steps / 10)
                .lrDecayIters(steps).decayLr(true).weightDecay(0.1).gradClip(1.0).evalInterval(evalInterval).evalIters(evalIters)
                .evalAtStart(false).build();
    }

    /** Reinforcement learning: a constant rate, no weight decay, clipping at 1, one evaluation batch. */
    private static TrainingConfig constant(long steps, double lr, long evalInterval) {
        return TrainingConfig.builder().batchSize(1).maxIters(steps).learningRate(lr).minLr(0).decayLr(false).warmupIters(0).weightDecay(0)
                .gradClip(1.0).evalInterval(evalInterval).evalIters(1).evalAtStart(true).build();
    }
}
