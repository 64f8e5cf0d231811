package dev.llmforge.alignment.rl;

import dev.llmforge.tensor.Tensor;
import java.util.Locale;

/**
 * How GRPO averages its per-token loss over a minibatch of G·n responses; the three variants of the literature
 * (TRL's {@code loss_type} "grpo", "dapo"/"bnpo" and "dr_grpo").
 */
public enum LossAveraging {
    /**
     * The GRPO paper (Shao et al. 2024): the mean over each response's tokens, then the mean over responses. A
     * token of a short response weighs more than one of a long response, so long wrong answers are penalised
     * less per token (the length bias Dr. GRPO points out).
     */
    SEQUENCE,
    /** DAPO (Yu et al. 2025): the sum over every response token of the minibatch divided by their number. */
    TOKEN,
    /**
     * Dr. GRPO (Liu et al. 2025): the sum over every response token divided by a constant, responses × the
     * longest allowed response, so no response's length changes the weight of its tokens.
     */
    CONSTANT;

    /** The weight of each token (B, T): 0 outside the response mask (B, T), summing to at most 1. */
    Tensor weights(Tensor responseMask, int maxNewTokens) {
        int rows = responseMask.dim(0);
        return switch (this) {
            case SEQUENCE -> responseMask.div(responseMask.sum(new int[] {1}, true).mul(rows));
            case TOKEN -> responseMask.div(responseMask.sum());
            case CONSTANT -> responseMask.div((double) rows * maxNewTokens);
        };
    }

    /** The command-line name: {@code sequence}, {@code token} or {@code constant}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LossAveraging named(String name) {
        for (LossAveraging a : values()) {
            if (a.id().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown loss averaging \"" + name + "\"; expected sequence, token or constant");
    }
}
