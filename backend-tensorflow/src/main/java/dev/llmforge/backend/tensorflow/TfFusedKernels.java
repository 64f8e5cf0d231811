package dev.llmforge.backend.tensorflow;

import static dev.llmforge.backend.tensorflow.TfKernels.tf;

import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The fused pairs TensorFlow has natively, run eagerly: softmax cross-entropy
 * ({@code SparseSoftmaxCrossEntropyWithLogits}), softmax ({@code Softmax}), layer norm (from
 * {@code Mean}, {@code SquaredDifference}, {@code Rsqrt}), GELU and the AdamW update as TensorFlow
 * expressions. Causal attention keeps core's composition (TensorFlow has no fused attention op).
 * A backward whose forward was captured gets no saved handles and recomputes them.
 */
final class TfFusedKernels extends FusedKernels {
    static final Set<FusedOp> NATIVE = EnumSet.of(FusedOp.SOFTMAX_CROSS_ENTROPY, FusedOp.SOFTMAX, FusedOp.LAYER_NORM,
            FusedOp.GELU, FusedOp.ADAMW_UPDATE);

    private final TfEngine engine;

    TfFusedKernels(TfKernels primitives, TfEngine engine) {
        super(primitives);
        this.engine = engine;
    }

    /** Runs {@code body} eagerly; keeps every tensor it returns (nulls allowed) and frees the rest. */
    private NativeTensor[] run(Function<TfMath, TfValue[]> body) {
        try (EagerEmitter e = new EagerEmitter(engine)) {
            TfValue[] values = body.apply(new TfMath(e));
            NativeTensor[] kept = new NativeTensor[values.length];
            for (int i = 0; i < values.length; i++) {
                kept[i] = values[i] == null ? null : e.keep(values[i]);
            }
            return kept;
        }
    }

    private static TfTensor orNull(NativeTensor x) {
        return x == null ? null : tf(x);
    }

    @Override
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
        NativeTensor[] r = run(m -> m.softmaxCrossEntropy(tf(logits), tf(targets), ignoreIndex));
        return new Result(r[0], List.of(r[1], r[2]));
    }

    @Override
    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex, Result forward,
                                                    NativeTensor gradLoss) {
        return run(m -> {
            TfValue[] saved = forward.saved().isEmpty()
                    ? m.softmaxCrossEntropy(tf(logits), tf(targets), ignoreIndex)
                    : new TfValue[] {null, tf(forward.saved(0)), tf(forward.saved(1))};
            return new TfValue[] {m.softmaxCrossEntropyBackward(saved[1], saved[2], tf(gradLoss))};
        })[0];
    }

    @Override
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        NativeTensor[] r = run(m -> {
            TfValue[] stats = m.layerNormStats(tf(x), eps);
            return new TfValue[] {m.layerNorm(tf(x), orNull(weight), orNull(bias), stats[0], stats[1]), stats[0], stats[1]};
        });
        return new Result(r[0], List.of(r[1], r[2]));
    }

    @Override
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, Result forward,
                                            NativeTensor gradOut) {
        return run(m -> {
            TfValue[] stats = forward.saved().isEmpty()
                    ? m.layerNormStats(tf(x), eps)
                    : new TfValue[] {tf(forward.saved(0)), tf(forward.saved(1))};
            return m.layerNormBackward(tf(x), orNull(weight), orNull(bias), stats[0], stats[1], tf(gradOut));
        });
    }

    @Override
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        return new Result(run(m -> new TfValue[] {m.gelu(tf(x), tanhApproximation)})[0]);
    }

    @Override
    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        return run(m -> new TfValue[] {m.geluBackward(tf(x), tanhApproximation, tf(gradOut))})[0];
    }

    @Override
    public Result softmax(NativeTensor x, boolean backwardFollows) {
        return new Result(run(m -> new TfValue[] {m.softmax(tf(x))})[0]);
    }

    @Override
    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        return run(m -> new TfValue[] {m.softmaxBackward(tf(forward.output()), tf(gradOut))})[0];
    }

    /** The step's factors computed on the host, as core's default AdamW computes them. */
    @Override
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        DType dt = param.dtype();
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        return run(math -> math.adamW(tf(param), tf(grad), tf(m), tf(v), new TfMath.AdamFactors(
                math.scalar(1 - s.lr() * s.weightDecay(), dt), math.scalar(s.beta1(), dt), math.scalar(1 - s.beta1(), dt),
                math.scalar(s.beta2(), dt), math.scalar(1 - s.beta2(), dt), math.scalar(s.lr() / bc1, dt),
                math.scalar(1 / Math.sqrt(bc2), dt), math.scalar(s.eps(), dt))));
    }
}
