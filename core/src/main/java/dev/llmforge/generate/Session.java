package dev.llmforge.generate;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.model.Gpt;
import dev.llmforge.nn.KvCache;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generation for a batch of prompts of equal length, one token per row per {@link #step()}.
 * With a cache, the prompts are read once (prefill) and each later step feeds one token per row.
 * When the context reaches the model's block size, the cache restarts from the most recent half
 * of the context (a sliding window); without a cache, each step reads the last block-size tokens.
 *
 * <p>The one-token steps go through {@link Gpt#decodeLogits}: on a backend with capture support
 * they run as one compiled program over a {@linkplain KvCache#fixedSize fixed-size cache}; the
 * prefill runs eagerly.
 */
final class Session implements AutoCloseable {
    private final Gpt model;
    private final GenerationConfig cfg;
    private final TokenDecoder decoder;
    private final TensorFactory tensors;
    private final KvCache cache;
    private final Row[] rows;
    private int fed; // context tokens already in the cache

    /**
     * @param streams per prompt, which random stream of {@code cfg.seed()} it samples from (its
     *                index in the caller's batch, so its result does not depend on the grouping)
     */
    Session(Gpt model, List<int[]> prompts, int[] streams, GenerationConfig cfg, TokenDecoder decoder) {
        if (!cfg.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a TokenDecoder to turn tokens into text");
        }
        this.model = model;
        this.cfg = cfg;
        this.decoder = decoder;
        Tensor any = model.parameters().get(0);
        this.tensors = Tensor.on(any.backend(), any.device());
        int vocab = model.config().vocabSize();
        this.rows = new Row[prompts.size()];
        for (int i = 0; i < rows.length; i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + streams[i] + " is empty: generation needs at least one token (e.g. BOS)");
            }
            if (p.length != prompts.get(0).length) {
                throw new IllegalArgumentException("a session's prompts must have equal lengths");
            }
            for (int t : p) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("prompt " + streams[i] + " holds token " + t + ", outside the vocabulary [0, " + vocab
                            + ")");
                }
            }
            rows[i] = new Row(p, new Random(mix(cfg.seed(), streams[i])));
            if (cfg.maxNewTokens() == 0) {
                rows[i].finish(StopReason.MAX_TOKENS);
            }
        }
        this.cache = cfg.useCache() ? model.newDecodingCache() : null;
    }

    boolean done() {
        for (Row r : rows) {
            if (r.reason == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Generates one token for every unfinished row; returns, per row, the token it emitted or -1
     * (finished earlier, or stopped by a stop token now).
     */
    int[] step() {
        float[] logits;
        int vocab = model.config().vocabSize();
        try (GradMode.Restore ignored = GradMode.noGrad(); TensorScope ignoredScope = TensorScope.open()) {
            Tensor ids = nextInput(); // (B, T)
            Tensor next = cache != null && ids.dim(1) == 1 ? model.decodeLogits(ids, cache) : model.nextTokenLogits(ids, cache);
            logits = next.toFloatArray(); // (B, V)
        }
        int[] emitted = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            Row r = rows[i];
            emitted[i] = -1;
            if (r.reason != null) {
                continue;
            }
            int token = Sampler.next(logits, i * vocab, vocab, r.context, r.length, cfg, r.rng);
            if (cfg.stopTokenIds().contains(token)) {
                r.finish(StopReason.STOP_TOKEN);
                continue;
            }
            r.append(token);
            emitted[i] = token;
            if (!cfg.stopStrings().isEmpty() && r.hitsStopString(decoder, cfg.stopStrings())) {
                r.finish(StopReason.STOP_STRING);
            } else if (r.length - r.prompt.length >= cfg.maxNewTokens()) {
                r.finish(StopReason.MAX_TOKENS);
            }
        }
        return emitted;
    }

    /** The ids to feed this step: (B, T). Finished rows repeat their last token. */
    private Tensor nextInput() {
        int length = 0;
        for (Row r : rows) {
            length = Math.max(length, r.length); // unfinished rows are all this long
        }
        int block = model.config().blockSize();
        int from;
        if (cache == null) {
            from = Math.max(0, length - block);
        } else {
            if (cache.length() + (length - fed) > cache.capacity()) {
                cache.clear();
                fed = Math.max(0, length - Math.max(1, block / 2));
            }
            from = fed;
        }
        int t = length - from;
        long[] ids = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            Row r = rows[i];
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = r.context[Math.min(from + j, r.length - 1)];
            }
        }
        fed = length;
        return tensors.of(ids, rows.length, t);
    }

    GenerationResult result(int row) {
        Row r = rows[row];
        int[] generated = Arrays.copyOfRange(r.context, r.prompt.length, r.length);
        String text = decoder == null ? null : r.text(decoder, cfg.stopStrings());
        return new GenerationResult(r.prompt.clone(), generated, text, r.reason);
    }

    int size() {
        return rows.length;
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }

    private static long mix(long seed, int row) {
        long z = seed + 0x9E3779B97F4A7C15L * (row + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One sequence: its context (prompt + generated) and state. */
    private static final class Row {
        final int[] prompt;
        final Random rng;
        int[] context;
        int length;
        StopReason reason;
        int stopAt = -1;

        Row(int[] prompt, Random rng) {
            this.prompt = prompt.clone();
            this.rng = rng;
            this.context = Arrays.copyOf(prompt, prompt.length + 16);
            this.length = prompt.length;
        }

        void append(int token) {
            if (length == context.length) {
                context = Arrays.copyOf(context, context.length * 2);
            }
            context[length++] = token;
        }

        void finish(StopReason why) {
            reason = why;
        }

        boolean hitsStopString(TokenDecoder decoder, List<String> stops) {
            text(decoder, stops);
            return stopAt >= 0;
        }

        /**
         * The generated text (decoded with the prompt as context, then the prompt's text removed),
         * cut before the first stop string; records where a stop string starts in {@link #stopAt}.
         */
        String text(TokenDecoder decoder, List<String> stops) {
            String full = decoder.decode(Arrays.copyOf(context, length));
            String head = decoder.decode(prompt);
            String text = full.startsWith(head) ? full.substring(head.length())
                    : decoder.decode(Arrays.copyOfRange(context, prompt.length, length));
            stopAt = -1;
            for (String s : stops) {
                int at = text.indexOf(s);
                if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                    stopAt = at;
                }
            }
            return stopAt >= 0 ? text.substring(0, stopAt) : text;
        }
    }
}
