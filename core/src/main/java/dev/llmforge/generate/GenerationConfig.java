package dev.llmforge.generate;

import java.util.List;
import java.util.Set;

/**
 * How to generate: length, sampling and stopping. Build with {@link #builder()}; {@link #greedy}
 * is temperature 0 (argmax).
 *
 * @param maxNewTokens      tokens to generate at most
 * @param temperature       0 for greedy (argmax), else logits are divided by it before sampling
 * @param topK              keep only the k most likely tokens (0: all)
 * @param topP              keep the smallest set of most likely tokens whose probability reaches p (1: all)
 * @param repetitionPenalty >1 discourages tokens already in the context (CTRL/Hugging Face rule; 1: off)
 * @param stopTokenIds      generation of a sequence ends when it samples one of these (not output)
 * @param stopStrings       generation of a sequence ends once its text contains one (needs a decoder)
 * @param seed              seeds sampling; each prompt of a batch gets its own stream from it
 * @param useCache          feed each token once through a KV cache (else recompute the context each step)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                               Set<Integer> stopTokenIds, List<String> stopStrings, long seed, boolean useCache) {
    /** The smallest temperature above 0: below it, logits divided by it overflow to infinities (sample with 0, greedy, instead). */
    public static final double MIN_TEMPERATURE = 1e-4;

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (temperature > 0 && temperature < MIN_TEMPERATURE) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or at least " + MIN_TEMPERATURE + ", got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be finite and > 0, got " + repetitionPenalty);
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /**
     * True if tokens are drawn from softmax(logits / temperature) itself: temperature above 0, no
     * top-k, top-p or repetition penalty. Then the sampled tokens come from exactly the distribution
     * {@code TokenLogProbs.score(model, ids, mask, temperature)} scores, as policy-gradient methods
     * (PPO, GRPO) assume.
     */
    public boolean isPureTemperature() {
        return temperature > 0 && topK == 0 && topP == 1 && repetitionPenalty == 1;
    }

    /** Pure-temperature sampling ({@link #isPureTemperature()}) of up to {@code maxNewTokens} tokens. */
    public static GenerationConfig sampling(double temperature, int maxNewTokens) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("sampling needs a temperature above 0, got " + temperature + " (0 is greedy)");
        }
        return builder().maxNewTokens(maxNewTokens).temperature(temperature).build();
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return builder().maxNewTokens(maxNewTokens).temperature(0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).stopTokenIds(stopTokenIds).stopStrings(stopStrings).seed(seed).useCache(useCache);
    }

    /** Defaults: 100 tokens, temperature 1, no top-k/top-p/penalty, no stops, seed 1337, cache on. */
    public static final class Builder {
        private int maxNewTokens = 100;
        private double temperature = 1;
        private int topK;
        private double topP = 1;
        private double repetitionPenalty = 1;
        private Set<Integer> stopTokenIds = Set.of();
        private List<String> stopStrings = List.of();
        private long seed = 1337;
        private boolean useCache = true;

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder stopTokenIds(Set<Integer> v) {
            stopTokenIds = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder useCache(boolean v) {
            useCache = v;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokenIds, stopStrings, seed, useCache);
        }
    }
}
