package dev.llmforge.nn;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;

/**
 * The position-wise MLP of a transformer block: {@code c_proj(gelu(c_fc(x)))} (GPT-2) or
 * {@code down_proj(silu(gate_proj(x)) * up_proj(x))} (SwiGLU, LLaMA), then residual dropout.
 */
public final class FeedForward extends Module {
    /** The activation: GELU with GPT-2's tanh approximation, exact GELU, or SwiGLU. */
    public enum Activation { GELU_TANH, GELU_EXACT, SWIGLU }

    private final Activation activation;
    private final Linear up;
    private final Linear gate;
    private final Linear down;
    private final Dropout dropout;

    /**
     * @param std     initial std of the input projections; {@code projStd} that of the output
     *                projection (scaled for residuals)
     */
    public FeedForward(Init init, int dim, int hidden, Activation activation, boolean bias, double std, double projStd,
                       double dropout, long seed) {
        this.activation = activation;
        if (activation == Activation.SWIGLU) {
            this.gate = registerModule("gate_proj", new Linear(init, dim, hidden, bias, std));
            this.up = registerModule("up_proj", new Linear(init, dim, hidden, bias, std));
            this.down = registerModule("down_proj", new Linear(init, hidden, dim, bias, projStd));
        } else {
            this.gate = null;
            this.up = registerModule("c_fc", new Linear(init, dim, hidden, bias, std));
            this.down = registerModule("c_proj", new Linear(init, hidden, dim, bias, projStd));
        }
        this.dropout = registerModule("dropout", new Dropout(dropout, seed));
    }

    /** x (..., C) → (..., C). */
    public Tensor forward(Tensor x) {
        Tensor h = switch (activation) {
            case GELU_TANH -> F.gelu(up.forward(x), F.Gelu.TANH);
            case GELU_EXACT -> F.gelu(up.forward(x), F.Gelu.EXACT);
            case SWIGLU -> F.silu(gate.forward(x)).mul(up.forward(x));
        };
        return dropout.forward(down.forward(h));
    }

    public Activation activation() {
        return activation;
    }
}
