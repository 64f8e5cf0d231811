package dev.llmforge.generate;

import dev.llmforge.model.Gpt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates text with a {@link Gpt}: greedy or sampled (temperature, top-k, top-p, repetition
 * penalty), with a KV cache, stop token ids and stop strings, seeded, streaming each token to a
 * listener, for one prompt or a batch.
 *
 * <pre>{@code
 * Generator gen = new Generator(model, tokenizer::decode);
 * GenerationResult r = gen.generate(prompt, GenerationConfig.builder().maxNewTokens(200).temperature(0.8).topK(40).build(),
 *         (i, token) -> System.out.print(tokenizer.decode(new int[] {token})));
 * }</pre>
 *
 * The model is switched to evaluation mode while generating (and restored afterwards).
 */
public final class Generator {
    private final Gpt model;
    private final TokenDecoder decoder;

    /** A generator without a decoder: results carry token ids only, stop strings are unavailable. */
    public Generator(Gpt model) {
        this(model, null);
    }

    public Generator(Gpt model, TokenDecoder decoder) {
        this.model = model;
        this.decoder = decoder;
    }

    public GenerationResult generate(int[] prompt, GenerationConfig config) {
        return generate(prompt, config, null);
    }

    public GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        return generate(List.of(prompt), config, listener).get(0);
    }

    /**
     * Generates for every prompt; results are in prompt order. Prompts of equal length run together
     * as one batch (one forward per step for the group). Prompt i samples from stream i of the
     * seed, so its result does not depend on the other prompts (a prompt alone is prompt 0).
     */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationConfig config, TokenListener listener) {
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            byLength.computeIfAbsent(prompts.get(i).length, k -> new ArrayList<>()).add(i);
        }
        GenerationResult[] results = new GenerationResult[prompts.size()];
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            for (List<Integer> group : byLength.values()) {
                runGroup(prompts, group, config, listener, results);
            }
        } finally {
            model.train(wasTraining);
        }
        return List.of(results);
    }

    private void runGroup(List<int[]> prompts, List<Integer> group, GenerationConfig config, TokenListener listener,
                          GenerationResult[] results) {
        List<int[]> groupPrompts = new ArrayList<>();
        int[] streams = new int[group.size()];
        for (int r = 0; r < streams.length; r++) {
            groupPrompts.add(prompts.get(group.get(r)));
            streams[r] = group.get(r);
        }
        try (Session s = new Session(model, groupPrompts, streams, config, decoder)) {
            while (!s.done()) {
                int[] emitted = s.step();
                if (listener != null) {
                    for (int r = 0; r < emitted.length; r++) {
                        if (emitted[r] >= 0) {
                            listener.onToken(group.get(r), emitted[r]);
                        }
                    }
                }
            }
            for (int r = 0; r < group.size(); r++) {
                results[group.get(r)] = s.result(r);
            }
        }
    }

    /**
     * Generates lazily for one prompt: each {@code next()} runs one step. Close the stream to free
     * its cache if it is abandoned before the end. Switches the model to evaluation mode (dropout off).
     */
    public TokenStream stream(int[] prompt, GenerationConfig config) {
        model.eval();
        return new TokenStream(new Session(model, List.of(prompt), new int[] {0}, config, decoder));
    }
}
