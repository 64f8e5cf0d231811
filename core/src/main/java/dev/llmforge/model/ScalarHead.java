package dev.llmforge.model;

import dev.llmforge.nn.Init;
import dev.llmforge.nn.Linear;
import dev.llmforge.nn.Module;
import dev.llmforge.nn.PaddingMask;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;

/**
 * One number per position from a model's final hidden states: the value head of PPO or the score
 * of a reward model. A linear map C → 1 with a bias (parameters {@code summary.weight} (1, C) and
 * {@code summary.bias} (1), as TRL's value head), the weight ~ Normal(0, std), the bias 0.
 *
 * <pre>{@code
 * Tensor hidden = model.hiddenStates(ids, attentionMask);  // (B, T, C)
 * Tensor values = head.forward(hidden);                    // (B, T): a value per position
 * Tensor rewards = head.atLastToken(hidden, attentionMask); // (B): at each row's last real token
 * }</pre>
 */
public final class ScalarHead extends Module {
    private final Linear summary;

    /** A head for hidden states of width {@code width}, weights drawn from {@code seed}. */
    public ScalarHead(int width, double std, TensorFactory tensors, DType dtype, long seed) {
        this.summary = registerModule("summary", new Linear(new Init(tensors, dtype, seed), width, 1, true, std));
    }

    /** A head for {@code model}: its width, initial std, backend, device and dtype. */
    public static ScalarHead of(Gpt model, long seed) {
        Tensor any = model.parameters().get(0);
        return new ScalarHead(model.config().nEmbd(), model.config().initStd(), Tensor.on(any.backend(), any.device()), any.dtype(), seed);
    }

    /** (B, T, C) → (B, T): one value per position. */
    public Tensor forward(Tensor hidden) {
        checkRank(hidden);
        return summary.forward(hidden).reshape(hidden.dim(0), hidden.dim(1));
    }

    /**
     * (B, T, C) → (B): the value at each row's last real token, found by the attention mask (B, T)
     * of 0/1, never by token id: right and left padding alike, and a padding id equal to EOS.
     */
    public Tensor atLastToken(Tensor hidden, Tensor attentionMask) {
        checkRank(hidden);
        Tensor last = PaddingMask.of(attentionMask).lastTokens(hidden); // (B, C)
        return summary.forward(last).reshape(hidden.dim(0));
    }

    private static void checkRank(Tensor hidden) {
        if (hidden.rank() != 3) {
            throw new IllegalArgumentException("a scalar head reads hidden states (B, T, C), got " + hidden.shape());
        }
    }
}
