package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.SpecialTokenPolicy;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Samples responses to prompts with the policy, as PPO and GRPO need them: each prompt rendered with the chat
 * template for generation (the end kept when it is longer than the context leaves room for), several copies
 * of each in one left-padded batch with the KV cache, pure temperature sampling (no top-k, top-p or
 * repetition penalty: the tokens come from exactly the distribution {@code TokenLogProbs} scores at the same
 * temperature), stopping at the template's end-of-turn token, which belongs to the response.
 */
public final class RolloutSampler implements AutoCloseable {
    private final Gpt policy;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final GenerationConfig sampling;
    private final Generator generator;
    private final long padId;

    /**
     * @param temperature  the sampling temperature (> 0); the log-probabilities of the step are taken at it
     * @param maxNewTokens the longest response
     */
    public RolloutSampler(Gpt policy, Tokenizer tokenizer, ChatTemplate template, double temperature, int maxNewTokens) {
        if (maxNewTokens <= 0 || maxNewTokens >= policy.config().blockSize()) {
            throw new IllegalArgumentException("the response length must be in [1, " + (policy.config().blockSize() - 1)
                    + "] (the context is " + policy.config().blockSize() + "), got " + maxNewTokens);
        }
        this.policy = policy;
        this.tokenizer = tokenizer;
        this.template = template;
        int[] end = tokenizer.encode(template.endOfTurn(), SpecialTokenPolicy.SPECIAL);
        GenerationConfig.Builder config = GenerationConfig.sampling(temperature, maxNewTokens).toBuilder();
        if (end.length == 1) {
            config.stopTokenIds(Set.of(end[0]));
            this.padId = end[0];
        } else {
            config.stopStrings(List.of(template.endOfTurn()));
            this.padId = 0;
        }
        this.sampling = config.build();
        this.generator = new Generator(policy, tokenizer::decode);
    }

    /** The generation settings every rollout uses (pure temperature: {@link GenerationConfig#isPureTemperature()}). */
    public GenerationConfig sampling() {
        return sampling;
    }

    public double temperature() {
        return sampling.temperature();
    }

    public int maxNewTokens() {
        return sampling.maxNewTokens();
    }

    /**
     * {@code copies} responses to each prompt (rows {@code i * copies} to {@code (i + 1) * copies - 1} belong to
     * prompt i), sampled from {@code seed}: each row draws from its own stream of it.
     */
    public Rollout sample(List<RolloutPrompt> prompts, int copies, long seed) {
        if (copies <= 0) {
            throw new IllegalArgumentException("copies per prompt must be positive, got " + copies);
        }
        return generate(prompts, copies, sampling.toBuilder().seed(seed).build());
    }

    /** The most likely response to each prompt (greedy decoding, same length limit and stop), for evaluation. */
    public Rollout greedy(List<RolloutPrompt> prompts) {
        return generate(prompts, 1, sampling.toBuilder().temperature(0).build());
    }

    private Rollout generate(List<RolloutPrompt> prompts, int copies, GenerationConfig config) {
        int room = policy.config().blockSize() - sampling.maxNewTokens();
        List<int[]> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<RolloutPrompt> rows = new ArrayList<>();
        for (RolloutPrompt p : prompts) {
            var rendered = template.renderForGeneration(p.messages(), tokenizer);
            int[] prompt = rendered.ids().length > room ? Arrays.copyOfRange(rendered.ids(), rendered.ids().length - room, rendered.ids().length)
                    : rendered.ids();
            for (int c = 0; c < copies; c++) {
                ids.add(prompt);
                texts.add(rendered.text());
                rows.add(p);
            }
        }
        List<GenerationResult> results = generator.generate(ids, config, null);
        return new Rollout(rows, texts, results, RolloutBatch.of(results, padId));
    }

    /** Frees the generator's compiled decode steps. */
    @Override
    public void close() {
        generator.close();
    }
}
