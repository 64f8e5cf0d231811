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
 * Generation for a batch of prompts, one token per row per {@link #step()}. Prompts of different
 * lengths are left-padded into one batch: column c of row r holds padding while c is below the row's
 * padding width, then the row's tokens, and every step adds one column. The attention mask tells the
 * model which entries are padding, so each row gets its own positions and never attends to padding:
 * a row's tokens do not depend on its companions.
 *
 * <p>With a cache, the prompts are read once (prefill) and each later step feeds one token per row
 * through a {@link DecodeStep} (compiled where the backend captures). When the columns reach the
 * model's block size, the cache restarts from the last half of the columns (a sliding window); as
 * every row slides at the same step, a row that goes past the context may then differ from the same
 * row generated alone. Without a cache, each step reads each row's last block-size tokens, exactly as
 * the row alone would.
 *
 * <p>A session may generate several copies of each prompt (sampled paths of one question): the prompts are then
 * prefilled once each, and every prompt's cache rows are copied for its copies ({@link KvCache#selectRows}), which
 * gives each copy what prefilling it in its own row would.
 */
final class Session implements AutoCloseable {
    /** The id fed at padding entries: any valid id, as the attention mask hides it. */
    private static final long PADDING_ID = 0;

    private final Gpt model;
    private final DecodeStep steps;
    private final GenerationConfig cfg;
    private final TokenDecoder decoder;
    private final TensorFactory tensors;
    private final KvCache cache;
    private final Row[] rows; // copy c of prompt p is row p * copies + c
    private final int copies;
    private int columns; // columns of the padded batch: the longest prompt, then one more per step
    private int fed; // columns already in the cache

    /**
     * @param steps   the decode step of {@code model}, used when {@code cfg.useCache()}
     * @param copies  rows generated from each prompt
     * @param streams per row, which random stream of {@code cfg.seed()} it samples from (its
     *                index in the caller's batch, so its result does not depend on the batch)
     */
    Session(Gpt model, DecodeStep steps, List<int[]> prompts, int copies, int[] streams, GenerationConfig cfg, TokenDecoder decoder) {
        if (copies < 1 || streams.length != prompts.size() * copies) {
            throw new IllegalArgumentException(prompts.size() + " prompts of " + copies + " copies each need as many streams, found "
                    + streams.length);
        }
        if (!cfg.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a TokenDecoder to turn tokens into text");
        }
        this.model = model;
        this.steps = steps;
        this.cfg = cfg;
        this.decoder = decoder;
        Tensor any = model.parameters().get(0);
        this.tensors = Tensor.on(any.backend(), any.device());
        int vocab = model.config().vocabSize();
        this.copies = copies;
        this.rows = new Row[prompts.size() * copies];
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + streams[i * copies] + " is empty: generation needs at least one token (e.g. BOS)");
            }
            for (int t : p) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("prompt " + streams[i * copies] + " holds token " + t + ", outside the vocabulary [0, "
                            + vocab + ")");
                }
            }
            columns = Math.max(columns, p.length);
        }
        for (int i = 0; i < rows.length; i++) {
            int[] p = prompts.get(i / copies);
            rows[i] = new Row(p, columns - p.length, new Random(mix(cfg.seed(), streams[i])));
            if (cfg.maxNewTokens() == 0) {
                rows[i].finish(StopReason.MAX_TOKENS);
            }
        }
        this.cache = cfg.useCache() ? steps.newCache() : null;
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
            logits = nextLogits().toFloatArray(); // (B, V)
        }
        int[] emitted = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            Row r = rows[i];
            emitted[i] = -1;
            if (r.reason != null) {
                continue;
            }
            Sampler.Choice choice = Sampler.next(logits, i * vocab, vocab, r.context, r.length, cfg, r.rng);
            r.logProbs[r.length - r.prompt.length] = (float) choice.logProb();
            if (cfg.stopTokenIds().contains(choice.token())) {
                r.stopToken = choice.token();
                r.finish(StopReason.STOP_TOKEN);
                continue;
            }
            r.append(choice.token());
            emitted[i] = choice.token();
            if (!cfg.stopStrings().isEmpty() && r.hitsStopString(decoder, cfg.stopStrings())) {
                r.finish(StopReason.STOP_STRING);
            } else if (r.length - r.prompt.length >= cfg.maxNewTokens()) {
                r.finish(StopReason.MAX_TOKENS);
            }
        }
        columns++;
        return emitted;
    }

    /** (B, V): the logits after the last column, reading the columns the cache has not seen (or the window, without a cache). */
    private Tensor nextLogits() {
        int block = model.config().blockSize();
        if (cache == null) {
            int from = Math.max(0, columns - block); // holds each row's last block-size real tokens
            return model.nextTokenLogits(ids(from, rows), attentionMask(from, rows), null);
        }
        if (cache.length() + (columns - fed) > cache.capacity()) {
            cache.clear();
            fed = Math.max(0, columns - Math.max(1, block / 2));
        }
        int from = fed;
        fed = columns;
        if (columns - from == 1 && from > 0) {
            return steps.logits(ids(from, rows), cache); // the newest column is real in every row
        }
        if (from == 0 && copies > 1) {
            return sharedPrefill();
        }
        return model.nextTokenLogits(ids(from, rows), attentionMask(from, rows), cache);
    }

    /** (B, V): every prompt read once, at the row of its first copy; the cache's rows and the logits then copied for its other copies. */
    private Tensor sharedPrefill() {
        Row[] firstCopies = new Row[rows.length / copies];
        int[] prompt = new int[rows.length];
        long[] promptIndex = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            firstCopies[i / copies] = rows[i - i % copies];
            prompt[i] = i / copies;
            promptIndex[i] = i / copies;
        }
        Tensor logits = model.nextTokenLogits(ids(0, firstCopies), attentionMask(0, firstCopies), cache); // (P, V)
        cache.selectRows(prompt);
        return logits.gather(0, tensors.of(promptIndex, rows.length)); // (B, V)
    }

    /** Token ids (R, columns - from) of {@code of}'s columns [from, columns); padding entries hold {@link #PADDING_ID}. */
    private Tensor ids(int from, Row[] of) {
        int t = columns - from;
        long[] ids = new long[of.length * t];
        for (int i = 0; i < of.length; i++) {
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = of[i].at(from + j);
            }
        }
        return tensors.of(ids, of.length, t);
    }

    /** The attention mask (R, columns - from) of {@code of}'s columns [from, columns), or null if none of them is padding. */
    private Tensor attentionMask(int from, Row[] of) {
        int t = columns - from;
        float[] mask = new float[of.length * t];
        boolean padded = false;
        for (int i = 0; i < of.length; i++) {
            for (int j = 0; j < t; j++) {
                boolean real = from + j >= of[i].padding;
                mask[i * t + j] = real ? 1 : 0;
                padded |= !real;
            }
        }
        return padded ? tensors.of(mask, of.length, t) : null;
    }

    GenerationResult result(int row) {
        Row r = rows[row];
        int generated = r.length - r.prompt.length;
        int[] tokens = Arrays.copyOfRange(r.context, r.prompt.length, r.length);
        float[] logProbs = Arrays.copyOf(r.logProbs, generated + (r.stopToken >= 0 ? 1 : 0));
        String text = decoder == null ? null : r.text(decoder, cfg.stopStrings());
        return new GenerationResult(r.prompt.clone(), tokens, r.stopToken, logProbs, text, r.reason);
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
        final int padding; // columns of left padding before the prompt
        final Random rng;
        int[] context;
        int length;
        float[] logProbs; // of each sampled token, the stop token included
        int stopToken = -1;
        StopReason reason;
        int stopAt = -1;

        Row(int[] prompt, int padding, Random rng) {
            this.prompt = prompt.clone();
            this.padding = padding;
            this.rng = rng;
            this.context = Arrays.copyOf(prompt, prompt.length + 16);
            this.logProbs = new float[16];
            this.length = prompt.length;
        }

        /** The id at column c: padding, a token, or (once finished) the last token again. */
        long at(int column) {
            int i = column - padding;
            return i < 0 ? PADDING_ID : context[Math.min(i, length - 1)];
        }

        void append(int token) {
            if (length == context.length) {
                context = Arrays.copyOf(context, context.length * 2);
            }
            context[length++] = token;
            if (length - prompt.length >= logProbs.length) {
                logProbs = Arrays.copyOf(logProbs, logProbs.length * 2);
            }
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
