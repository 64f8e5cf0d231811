package dev.llmforge.generate;

import dev.llmforge.model.Gpt;
import dev.llmforge.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates text with a {@link Gpt}: greedy or sampled (temperature, top-k, top-p, repetition
 * penalty), with a KV cache, stop token ids and stop strings, seeded, streaming each token to a
 * listener, for one prompt or a batch; each result carries the log-probability of every sampled token.
 *
 * <pre>{@code
 * try (Generator gen = new Generator(model, tokenizer::decode)) {
 *     GenerationResult r = gen.generate(prompt, GenerationConfig.builder().maxNewTokens(200).temperature(0.8).topK(40).build(),
 *             (i, token) -> System.out.print(tokenizer.decode(new int[] {token})));
 * }
 * }</pre>
 *
 * The model is in evaluation mode while generating ({@link Module#holdForInference}: restored
 * afterwards, and shared by threads generating at once; the model cannot be closed or set to
 * training meanwhile). Any number of threads may generate with one generator: each call samples
 * from its own seeded streams, so its result depends only on its prompts and configuration. A
 * generator holds the model's {@link DecodeStep} (compiled programs on a backend that captures):
 * close it when done, before the model.
 */
public final class Generator implements AutoCloseable {
    private final Gpt model;
    private final TokenDecoder decoder;
    private DecodeStep steps; // made on first use

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
     * Generates for every prompt as one batch; results are in prompt order. Prompts of different
     * lengths are left-padded, with an attention mask, so every row gets the positions and tokens it
     * would get alone. Prompt i samples from stream i of the seed, so its result does not depend on
     * the other prompts (a prompt alone is prompt 0). Past the model's context a row's sliding window
     * moves with the batch's longest row (see {@code Session}); rows that stay within the context
     * are unaffected.
     */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationConfig config, TokenListener listener) {
        return generate(prompts, 1, config, listener);
    }

    /**
     * Generates {@code copies} sequences from every prompt as one batch (sampled paths of one question, say), reading
     * each prompt once: it is prefilled in one row, and its KV cache rows are copied for its sequences. The results —
     * copy c of prompt p at index {@code p * copies + c}, sampling stream {@code p * copies + c} of the seed, as are
     * the listener's rows — are those of {@link #generate(List, GenerationConfig, TokenListener)} with each prompt
     * repeated {@code copies} times, on a backend whose per-row results do not depend on the batch's size.
     */
    public List<GenerationResult> generate(List<int[]> prompts, int copies, GenerationConfig config, TokenListener listener) {
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be at least 1, found " + copies);
        }
        if (prompts.isEmpty()) {
            return List.of();
        }
        int[] streams = new int[prompts.size() * copies];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = i;
        }
        try (Module.InferenceHold ignored = model.holdForInference();
             Session s = new Session(model, steps(), prompts, copies, streams, config, decoder)) {
            while (!s.done()) {
                int[] emitted = s.step();
                if (listener != null) {
                    for (int r = 0; r < emitted.length; r++) {
                        if (emitted[r] >= 0) {
                            listener.onToken(r, emitted[r]);
                        }
                    }
                }
            }
            List<GenerationResult> results = new ArrayList<>();
            for (int r = 0; r < streams.length; r++) {
                results.add(s.result(r));
            }
            return results;
        }
    }

    /**
     * Generates lazily for one prompt: each {@code next()} runs one step. Close the stream to free
     * its cache if it is abandoned before the end. Switches the model to evaluation mode (dropout off).
     */
    public TokenStream stream(int[] prompt, GenerationConfig config) {
        model.eval();
        return new TokenStream(new Session(model, steps(), List.of(prompt), 1, new int[] {0}, config, decoder));
    }

    private synchronized DecodeStep steps() {
        if (steps == null) {
            steps = new DecodeStep(model);
        }
        return steps;
    }

    /** Frees the decode step's compiled programs. */
    @Override
    public synchronized void close() {
        if (steps != null) {
            steps.close();
            steps = null;
        }
    }
}
