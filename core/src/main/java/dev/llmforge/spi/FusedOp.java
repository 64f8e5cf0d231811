package dev.llmforge.spi;

/** The optional fused forward/backward pairs of {@link FusedKernels}. */
public enum FusedOp {
    SOFTMAX_CROSS_ENTROPY,
    LAYER_NORM,
    GELU,
    SOFTMAX,
    CAUSAL_ATTENTION,
    ADAMW_UPDATE
}
