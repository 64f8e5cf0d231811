package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;

/**
 * What one forward pass shares across its layers.
 *
 * @param batch         B: the activations are (B * T, C) rows, batch-major
 * @param rope          the rotary embedding, or null for models without RoPE
 * @param ropeTables    cos/sin rows for this pass's positions (with {@code rope})
 * @param cache         keys and values of earlier positions, or null to attend only within this pass
 * @param attentionMask additive mask over the keys ({@link TokenLayout#mask()}), or null for plain causal attention
 */
public record ForwardContext(int batch, RotaryEmbedding rope, RotaryEmbedding.Tables ropeTables, KvCache cache, Tensor attentionMask) {
    public ForwardContext {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        if ((rope == null) != (ropeTables == null)) {
            throw new IllegalArgumentException("rope and ropeTables go together");
        }
    }
}
