package dev.llmforge.model;

import dev.llmforge.autograd.Ops;
import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.List;

/**
 * How likely a model finds given token sequences, token by token: what DPO, PPO and GRPO compare
 * between a policy and a reference. Every (B, T) result is aligned with the ids: entry [b, t] is
 * about token t given tokens 0..t-1 of its row, and entry [b, 0] (no prediction) is 0. A mask that
 * selects the tokens to count (the response, say) is therefore aligned with the ids too, like a
 * chat template's assistant mask; it is separate from the attention mask, which says which tokens
 * are padding.
 *
 * <pre>{@code
 * TokenLogProbs lp = TokenLogProbs.score(policy, ids, attentionMask, 1.0); // one forward pass
 * Tensor perToken = lp.perToken();       // (B, T) log p(ids[b, t] | ids[b, <t])
 * Tensor logp = lp.sum(responseMask);    // (B): log p(response | prompt)
 * Tensor entropy = lp.entropy();         // (B, T)
 * }</pre>
 *
 * Each real token's value depends only on its row's real tokens: not on the padding side, the
 * amount of padding, or the other rows of the batch (up to float rounding).
 */
public final class TokenLogProbs {
    private final Tensor logits; // (B, T, V), divided by the temperature
    private final Tensor ids; // (B, T)
    private Tensor perToken;

    private TokenLogProbs(Tensor logits, Tensor ids) {
        this.logits = logits;
        this.ids = ids;
    }

    /**
     * Scores {@code ids} (B, T) with {@code model} in one forward pass, with an attention mask (B, T)
     * of 0/1 (null: no padding), under the model's distribution at {@code temperature} (softmax of
     * logits / temperature: the distribution that sampling at that temperature draws from).
     */
    public static TokenLogProbs score(Gpt model, Tensor ids, Tensor attentionMask, double temperature) {
        return ofLogits(model.logits(ids, attentionMask), ids, temperature);
    }

    /** From logits (B, T, V) of a forward pass over {@code ids} (B, T), at {@code temperature}. */
    public static TokenLogProbs ofLogits(Tensor logits, Tensor ids, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        if (logits.rank() != 3 || ids.rank() != 2 || logits.dim(0) != ids.dim(0) || logits.dim(1) != ids.dim(1)) {
            throw new IllegalArgumentException("expected logits (B, T, V) over ids (B, T), got " + logits.shape() + " and " + ids.shape());
        }
        return new TokenLogProbs(temperature == 1 ? logits : logits.div(temperature), ids);
    }

    /** The logits (B, T, V) scored, divided by the temperature. */
    public Tensor logits() {
        return logits;
    }

    /** (B, T): log p(ids[b, t] | ids[b, <t]) for t ≥ 1; 0 at t = 0. */
    public Tensor perToken() {
        if (perToken == null) {
            perToken = ids.dim(1) == 1 ? zerosColumn() : behindZero(F.tokenLogProbs(predictions(), predictedIds()));
        }
        return perToken;
    }

    /**
     * ids[:, 1:] (B, T-1), uploaded from the host: F.tokenLogProbs reads its targets there, and a
     * captured step serves a read of its inputs (the ids) without running, not one of a slice made inside it.
     */
    private Tensor predictedIds() {
        int b = ids.dim(0);
        int t = ids.dim(1);
        long[] all = ids.toLongArray();
        long[] next = new long[b * (t - 1)];
        for (int row = 0; row < b; row++) {
            System.arraycopy(all, row * t + 1, next, row * (t - 1), t - 1);
        }
        return Tensor.on(ids.backend(), ids.device()).of(next, b, t - 1);
    }

    /** (B, T): the entropy of the distribution that chose token t (the one after token t - 1), t ≥ 1; 0 at t = 0. */
    public Tensor entropy() {
        return ids.dim(1) == 1 ? zerosColumn() : behindZero(F.entropy(predictions()));
    }

    /** (B): the sum of {@link #perToken()} where {@code mask} (B, T) is 1 — the log-probability of the selected tokens. */
    public Tensor sum(Tensor mask) {
        return F.maskedSum(perToken(), checkScoreMask(mask));
    }

    /** (B): the mean of {@link #perToken()} where {@code mask} (B, T) is 1; every row must select a token. */
    public Tensor mean(Tensor mask) {
        return F.maskedMean(perToken(), checkScoreMask(mask));
    }

    /** The next-token distributions that predict tokens 1..T-1: (B, T-1, V). */
    private Tensor predictions() {
        return logits.slice(1, 0, ids.dim(1) - 1);
    }

    /** (B, T-1) → (B, T) with a zero column in front. */
    private Tensor behindZero(Tensor x) {
        return Ops.concat(List.of(zerosColumn(), x), 1);
    }

    private Tensor zerosColumn() {
        return Tensor.on(logits.backend(), logits.device()).zeros(Shape.of(ids.dim(0), 1), logits.dtype());
    }

    private Tensor checkScoreMask(Tensor mask) {
        if (!mask.shape().equals(ids.shape())) {
            throw new IllegalArgumentException("the mask of tokens to count " + mask.shape() + " must have the shape of the ids " + ids.shape());
        }
        double[] m = mask.toDoubleArray(); // the whole mask: a captured step serves reads of its inputs
        int t = ids.dim(1);
        for (int b = 0; b < ids.dim(0); b++) {
            if (m[b * t] != 0) {
                throw new IllegalArgumentException("the mask of tokens to count selects token 0 of row " + b
                        + ", which has no log-probability (nothing precedes it)");
            }
        }
        return mask;
    }
}
