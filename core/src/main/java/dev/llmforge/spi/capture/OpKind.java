package dev.llmforge.spi.capture;

/**
 * The operations of a recorded {@link Program}: one per method of {@link dev.llmforge.spi.Kernels}
 * (except the host read {@code toBuffer}) and one per method of {@link dev.llmforge.spi.FusedKernels}
 * that a backend implements natively. The layout of each op's inputs, attributes and feed slots is
 * given here; absent optional inputs are {@code -1}.
 */
public enum OpKind {
    /** in: none; shape, dtype, device; data slot: the bytes (fed at every run). */
    FROM_BUFFER,
    /** in: none; shape, dtype, device; scalar slot: the value. */
    FULL,
    /** in: none; shape, dtype, device; long slot: the seed. */
    RANDOM_UNIFORM,
    /** in: none; shape, dtype, device; long slot: the seed. */
    RANDOM_NORMAL,
    /** in: x; dtype: the target. */
    CAST,
    /** in: x; shape: the target. */
    RESHAPE,
    /** in: x; attrs: the axes. */
    PERMUTE,
    /** in: x; shape: the target. */
    EXPAND,
    /** in: x; attrs: axis, start, end. */
    SLICE,
    /** in: the parts; attrs: axis. */
    CONCAT,
    /** in: src, indices; attrs: axis. */
    GATHER,
    /** in: indices, updates; shape: the result; attrs: axis. */
    SCATTER_ADD,
    NEG,
    EXP,
    LOG,
    SQRT,
    TANH,
    RECIPROCAL,
    ERF,
    ADD,
    SUB,
    MUL,
    DIV,
    MAXIMUM,
    LT,
    EQ,
    /** in: cond, a, b. */
    WHERE,
    /** in: x; attrs: keepDim (0/1) then the axes. */
    SUM,
    /** in: x; attrs: keepDim (0/1) then the axes. */
    MAX,
    /** in: x; attrs: axis, keepDim (0/1). */
    ARGMAX,
    /** in: a, b; attrs: transposeA, transposeB (0/1). */
    MATMUL,

    /** in: logits, targets; attrs: ignoreIndex. */
    SOFTMAX_CROSS_ENTROPY,
    /** in: logits, targets, loss (forward output), gradLoss; attrs: ignoreIndex. */
    SOFTMAX_CROSS_ENTROPY_BACKWARD,
    /** in: x, weight or -1, bias or -1; consts: eps. */
    LAYER_NORM,
    /** in: x, weight or -1, bias or -1, y (forward output), gradOut; consts: eps; out: dx, dweight or -1, dbias or -1. */
    LAYER_NORM_BACKWARD,
    /** in: x; attrs: tanhApproximation (0/1). */
    GELU,
    /** in: x, y (forward output), gradOut; attrs: tanhApproximation (0/1). */
    GELU_BACKWARD,
    /** in: x. */
    SOFTMAX,
    /** in: y (forward output), gradOut. */
    SOFTMAX_BACKWARD,
    /** in: q, k, v; consts: scale. */
    CAUSAL_ATTENTION,
    /** in: q, k, v, out (forward output), gradOut; consts: scale; out: dq, dk, dv. */
    CAUSAL_ATTENTION_BACKWARD,
    /**
     * in: param, grad, m, v; scalar slots: lr, beta1, beta2, eps, weightDecay; long slot: step;
     * out: param, m, v.
     */
    ADAMW_UPDATE;
}
