package dev.llmforge.alignment.eval;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Puts eval questions to a model and scores its answers: each question rendered by an {@link EvalPrompt},
 * answered by batched generation with the KV cache ({@link Generator}; prompts of different lengths left-padded),
 * greedily for one sample, else {@code samples} sampled paths per question voted on ({@link QuestionResult}).
 *
 * <p>A generation call holds whole questions — {@code max(1, batchSize / samples)} of them, each question's
 * paths side by side, its prompt prefilled once for all of them ({@link Generator#generate(List, int,
 * dev.llmforge.generate.GenerationConfig, dev.llmforge.generate.TokenListener)}) — and samples with seed
 * {@code seed + index of its first question}; row i draws from stream i of that seed. The same settings (batch size
 * included) give the same paths; with one question per call ({@code batchSize} at most {@code 2 * samples - 1}),
 * question q's path j draws from stream j of {@code seed + q}, so the first K paths of a run with more samples are
 * those of {@code samples = K} with one question per call ({@link QuestionResult#firstPaths}).
 */
public final class Evaluator {
    private final Gpt model;
    private final Tokenizer tokenizer;
    private final EvalPrompt prompt;
    private final Sampling sampling;
    private final int batchSize;

    /**
     * How answers are generated.
     *
     * @param samples      paths per question; 1 is one path, more are voted on
     * @param temperature  0 for greedy (one sample only), else the sampling temperature
     * @param topK         sample among the k most likely tokens (0: all)
     * @param maxNewTokens the longest response, in tokens
     * @param seed         the sampling seed
     */
    public record Sampling(int samples, double temperature, int topK, int maxNewTokens, long seed) {
        public Sampling {
            if (samples < 1) {
                throw new IllegalArgumentException("--samples must be at least 1, found " + samples);
            }
            if (samples > 1 && !(temperature > 0)) {
                throw new IllegalArgumentException("--samples " + samples + " needs a --temperature above 0: greedy paths are all the same");
            }
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("--max-new-tokens must be at least 1, found " + maxNewTokens);
            }
        }

        /** Greedy decoding: one path, the most likely token at every step. */
        public static Sampling greedy(int maxNewTokens) {
            return new Sampling(1, 0, 0, maxNewTokens, 0);
        }

        public boolean isGreedy() {
            return temperature == 0;
        }
    }

    public Evaluator(Gpt model, Tokenizer tokenizer, EvalPrompt prompt, Sampling sampling, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, found " + batchSize);
        }
        if (model.config().vocabSize() < tokenizer.vocabSize()) {
            throw new IllegalArgumentException("the model has " + model.config().vocabSize() + " tokens but its tokenizer "
                    + tokenizer.vocabSize());
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.prompt = prompt;
        this.sampling = sampling;
        this.batchSize = batchSize;
    }

    /** Answers and scores every record, in order; {@code progress} hears how many questions are done. */
    public List<QuestionResult> run(List<EvalRecord> records, IntConsumer progress) {
        List<QuestionResult> results = new ArrayList<>(records.size());
        int questionsPerCall = Math.max(1, batchSize / sampling.samples());
        try (Generator generator = new Generator(model, tokenizer::decode)) {
            for (int first = 0; first < records.size(); first += questionsPerCall) {
                List<EvalRecord> chunk = records.subList(first, Math.min(records.size(), first + questionsPerCall));
                List<int[]> prompts = new ArrayList<>();
                for (EvalRecord record : chunk) {
                    prompts.add(prompt.render(record, tokenizer).ids());
                }
                List<GenerationResult> generated = generator.generate(prompts, sampling.samples(), config(first), null);
                for (int q = 0; q < chunk.size(); q++) {
                    List<QuestionResult.Path> paths = new ArrayList<>();
                    for (GenerationResult g : generated.subList(q * sampling.samples(), (q + 1) * sampling.samples())) {
                        paths.add(QuestionResult.Path.score(chunk.get(q), g.text(), sum(g.logProbs()), g.tokens().length));
                    }
                    results.add(QuestionResult.of(first + q, chunk.get(q), prompts.get(q).length, paths));
                }
                progress.accept(results.size());
            }
        }
        return results;
    }

    private GenerationConfig config(int firstQuestion) {
        GenerationConfig.Builder config = GenerationConfig.builder().maxNewTokens(sampling.maxNewTokens())
                .temperature(sampling.temperature()).topK(sampling.topK()).seed(sampling.seed() + firstQuestion);
        return prompt.stopping(config, tokenizer).build();
    }

    private static double sum(float[] values) {
        double total = 0;
        for (float v : values) {
            total += v;
        }
        return total;
    }
}
