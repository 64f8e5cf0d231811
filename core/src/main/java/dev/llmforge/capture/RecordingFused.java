package dev.llmforge.capture;

import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.Shape;
import java.util.Set;

/**
 * The fused pairs while a step is captured. A pair the backend has natively is recorded as one op
 * (its forward saves nothing: the compiled backward reads the forward's inputs and output); any
 * other pair is built from the recorded primitives, exactly as the backend would build it eagerly.
 */
final class RecordingFused extends FusedKernels {
    private final Recorder recorder;
    private final Set<FusedOp> natives;

    RecordingFused(RecordingKernels primitives, Recorder recorder, Set<FusedOp> natives) {
        super(primitives);
        this.recorder = recorder;
        this.natives = natives;
    }

    private Segment.OpBuilder op(OpKind kind) {
        return recorder.segment().op(kind);
    }

    private static ValueType like(NativeTensor x) {
        return x == null ? null : new ValueType(x.shape(), x.dtype(), x.device());
    }

    @Override
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
        if (!natives.contains(FusedOp.SOFTMAX_CROSS_ENTROPY)) {
            return super.softmaxCrossEntropy(logits, targets, ignoreIndex, backwardFollows);
        }
        return new Result(op(OpKind.SOFTMAX_CROSS_ENTROPY).in(logits, targets).attrs(ignoreIndex)
                .out(new ValueType(Shape.scalar(), logits.dtype(), logits.device())));
    }

    @Override
    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex, Result forward,
                                                    NativeTensor gradLoss) {
        if (!natives.contains(FusedOp.SOFTMAX_CROSS_ENTROPY)) {
            return super.softmaxCrossEntropyBackward(logits, targets, ignoreIndex, forward, gradLoss);
        }
        return op(OpKind.SOFTMAX_CROSS_ENTROPY_BACKWARD).in(logits, targets, forward.output(), gradLoss).attrs(ignoreIndex).out(like(logits));
    }

    @Override
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        if (!natives.contains(FusedOp.LAYER_NORM)) {
            return super.layerNorm(x, weight, bias, eps, backwardFollows);
        }
        return new Result(op(OpKind.LAYER_NORM).in(x, weight, bias).consts(eps).out(like(x)));
    }

    @Override
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, Result forward,
                                            NativeTensor gradOut) {
        if (!natives.contains(FusedOp.LAYER_NORM)) {
            return super.layerNormBackward(x, weight, bias, eps, forward, gradOut);
        }
        return op(OpKind.LAYER_NORM_BACKWARD).in(x, weight, bias, forward.output(), gradOut).consts(eps)
                .outs(like(x), like(weight), like(bias));
    }

    @Override
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        if (!natives.contains(FusedOp.GELU)) {
            return super.gelu(x, tanhApproximation, backwardFollows);
        }
        return new Result(op(OpKind.GELU).in(x).attrs(tanhApproximation ? 1 : 0).out(like(x)));
    }

    @Override
    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        if (!natives.contains(FusedOp.GELU)) {
            return super.geluBackward(x, tanhApproximation, forward, gradOut);
        }
        return op(OpKind.GELU_BACKWARD).in(x, forward.output(), gradOut).attrs(tanhApproximation ? 1 : 0).out(like(x));
    }

    @Override
    public Result softmax(NativeTensor x, boolean backwardFollows) {
        if (!natives.contains(FusedOp.SOFTMAX)) {
            return super.softmax(x, backwardFollows);
        }
        return new Result(op(OpKind.SOFTMAX).in(x).out(like(x)));
    }

    @Override
    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        if (!natives.contains(FusedOp.SOFTMAX)) {
            return super.softmaxBackward(forward, gradOut);
        }
        return op(OpKind.SOFTMAX_BACKWARD).in(forward.output(), gradOut).out(like(forward.output()));
    }

    @Override
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale, boolean backwardFollows) {
        if (!natives.contains(FusedOp.CAUSAL_ATTENTION)) {
            return super.causalAttention(q, key, value, scale, backwardFollows);
        }
        return new Result(op(OpKind.CAUSAL_ATTENTION).in(q, key, value).consts(scale).out(like(q)));
    }

    @Override
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale, Result forward,
                                                  NativeTensor gradOut) {
        if (!natives.contains(FusedOp.CAUSAL_ATTENTION)) {
            return super.causalAttentionBackward(q, key, value, scale, forward, gradOut);
        }
        return op(OpKind.CAUSAL_ATTENTION_BACKWARD).in(q, key, value, forward.output(), gradOut).consts(scale)
                .outs(like(q), like(key), like(value));
    }

    @Override
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        if (!natives.contains(FusedOp.ADAMW_UPDATE)) {
            return super.adamWUpdate(param, grad, m, v, s);
        }
        return op(OpKind.ADAMW_UPDATE).in(param, grad, m, v).scalars(s.lr(), s.beta1(), s.beta2(), s.eps(), s.weightDecay())
                .longs(s.step()).outs(like(param), like(m), like(v));
    }
}
