package dev.llmforge.backend.nd4j;

import static dev.llmforge.backend.nd4j.Nd4jKernels.array;
import static dev.llmforge.backend.nd4j.Nd4jKernels.view;
import static dev.llmforge.spi.GeluConstants.CUBIC_COEFFICIENT;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2PI;
import static dev.llmforge.spi.GeluConstants.SQRT_2_OVER_PI;

import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused pairs on libnd4j's own kernels where they are right and fast: log-softmax, moments for
 * layer norm, and the Adam updater for an in-place AdamW step. Where libnd4j has no such kernel
 * (GELU, softmax, the backwards, causal attention) the pair runs as a short sequence of libnd4j
 * ops on preallocated, pooled temporaries, mostly in place: far fewer calls than the
 * primitive-by-primitive defaults, and no scalar tensors. In F32, GELU, layer norm and AdamW run
 * in Java on host copies ({@link FloatGelu}, {@link FloatLayerNorm}, {@link FloatAdamW}):
 * libnd4j's transcendentals are slow scalar loops, and its row and column broadcasts cost a pass
 * each. The README says why each libnd4j kernel left out was.
 */
final class Nd4jFusedKernels extends FusedKernels {
    static final Set<FusedOp> NATIVE = EnumSet.allOf(FusedOp.class);

    private static final int MAX_CACHED_MASKS = 64;

    private record MaskKey(int tq, int tk, DType dtype) {
    }

    private final Nd4jBackend backend;
    private final Nd4jKernels kernels;
    /** Additive causal masks (0 where a query may look, -inf elsewhere), by size. */
    private final Map<MaskKey, INDArray> masks = new ConcurrentHashMap<>();

    Nd4jFusedKernels(Nd4jBackend backend, Nd4jKernels kernels) {
        super(kernels);
        this.backend = backend;
        this.kernels = kernels;
    }

    private NativeCalls calls() {
        return backend.calls();
    }

    // ---- softmax ------------------------------------------------------------------------------------

    @Override
    public Result softmax(NativeTensor x, boolean backwardFollows) {
        return new Result(kernels.compute(x.shape(), x.dtype(), out -> softmaxInto(array(x), x.shape(), x.dtype(), out)));
    }

    /** libnd4j's log_softmax over the last axis (its OpenMP use follows ND4J's thread limit). */
    private NdTensor logSoftmax(NativeTensor x) {
        long[] axis = {x.shape().rank() - 1};
        return kernels.compute(x.shape(), x.dtype(), out -> calls().custom(NdOp.LOG_SOFTMAX, new INDArray[] {array(x)},
                new INDArray[] {out}, axis, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS));
    }

    @Override
    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        NativeTensor y = forward.output();
        return kernels.compute(y.shape(), y.dtype(), out -> {
            try (Scratch s = backend.scratch()) {
                softmaxGradient(s, array(y), array(gradOut), y.shape(), y.dtype(), out);
            }
        });
    }

    /**
     * Softmax over the last axis of {@code x} into {@code out} (which may be {@code x}), from max,
     * subtract, exp, sum and divide. Not libnd4j's softmax: it opens an OpenMP region as wide as
     * the calling thread's OpenMP setting rather than ND4J's thread limit (the machine's core
     * count unless another library set it), and on a busy two-core machine that made it about twenty
     * times slower than with a one-thread region (module README, softmax).
     */
    private void softmaxInto(INDArray x, Shape shape, DType dtype, INDArray out) {
        int last = shape.rank() - 1;
        try (Scratch s = backend.scratch()) {
            INDArray column = s.take(dtype, shape.with(last, 1));
            calls().custom(NdOp.REDUCE_MAX, new INDArray[] {x}, new INDArray[] {column}, new long[] {last}, new boolean[] {true},
                    NativeCalls.NO_REALS);
            calls().custom(NdOp.SUBTRACT, out, x, column);
            calls().transform(Legacy.EXP, out, out);
            calls().custom(NdOp.REDUCE_SUM, new INDArray[] {out}, new INDArray[] {column}, new long[] {last}, new boolean[] {true},
                    NativeCalls.NO_REALS);
            calls().custom(NdOp.DIVIDE, out, out, column);
        }
    }

    /** {@code out = y * (g - sum(g * y, last axis))}, the softmax backward. */
    private void softmaxGradient(Scratch s, INDArray y, INDArray g, Shape shape, DType dtype, INDArray out) {
        int last = shape.rank() - 1;
        INDArray dot = s.take(dtype, shape.with(last, 1));
        calls().custom(NdOp.MULTIPLY, out, g, y);
        calls().custom(NdOp.REDUCE_SUM, new INDArray[] {out}, new INDArray[] {dot}, new long[] {last}, new boolean[] {true},
                NativeCalls.NO_REALS);
        calls().custom(NdOp.SUBTRACT, out, g, dot);
        calls().custom(NdOp.MULTIPLY, out, out, y);
    }

    // ---- softmax cross-entropy ------------------------------------------------------------------------

    @Override
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
        int v = logits.shape().dim(1);
        DType dtype = logits.dtype();
        long[] kept = keptPositions(targets, ignoreIndex, v);
        if (dtype == DType.F32) {
            return softmaxCrossEntropyF32(logits, v, kept);
        }
        NdTensor logp = logSoftmax(logits); // (N, V)
        try {
            NdTensor loss = kernels.compute(Shape.scalar(), dtype, out -> {
                if (kept.length == 0) {
                    out.data().put(0, 0.0);
                    return;
                }
                try (Scratch s = backend.scratch()) {
                    INDArray at = s.take(DType.I64, Shape.of(kept.length));
                    INDArray picked = s.take(dtype, Shape.of(kept.length));
                    at.data().asNio().order(ByteOrder.nativeOrder()).asLongBuffer().put(kept);
                    INDArray flat = view(logp.array(), logp.shape().numel());
                    calls().custom(NdOp.GATHER, new INDArray[] {flat, at}, new INDArray[] {picked}, new long[] {0},
                            NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
                    calls().custom(NdOp.REDUCE_SUM, new INDArray[] {picked}, new INDArray[] {out}, new long[] {0},
                            new boolean[] {false}, NativeCalls.NO_REALS);
                    calls().scalar(Legacy.SCALAR_MUL, out, -1.0 / kept.length, out);
                }
            });
            return new Result(loss, List.of(logp));
        } catch (RuntimeException | Error e) {
            logp.close();
            throw e;
        }
    }

    /** F32: the log-probabilities and the loss by {@link FloatCrossEntropy}. */
    private Result softmaxCrossEntropyF32(NativeTensor logits, int v, long[] kept) {
        double[] loss = new double[1];
        NdTensor logp = kernels.compute(logits.shape(), DType.F32, // (N, V)
                out -> loss[0] = FloatCrossEntropy.forward(backend.host(), array(logits), v, kept, out));
        try {
            return new Result(kernels.compute(Shape.scalar(), DType.F32, out -> out.data().put(0, loss[0])), List.of(logp));
        } catch (RuntimeException | Error e) {
            logp.close();
            throw e;
        }
    }

    @Override
    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex,
                                                    Result forward, NativeTensor gradLoss) {
        Shape shape = logits.shape();
        int n = shape.dim(0);
        int v = shape.dim(1);
        DType dtype = logits.dtype();
        long[] kept = keptPositions(targets, ignoreIndex, v);
        double g = scalarValue(gradLoss);
        return kernels.compute(shape, dtype, out -> {
            if (kept.length == 0) {
                calls().scalar(Legacy.SCALAR_SET, out, 0, out);
                return;
            }
            calls().transform(Legacy.EXP, array(forward.saved(0)), out); // softmax
            ByteBuffer b = out.data().asNio().order(ByteOrder.nativeOrder());
            for (long at : kept) { // minus one at each target: softmax - one-hot
                int offset = Math.toIntExact(at * dtype.byteSize());
                if (dtype == DType.F64) {
                    b.putDouble(offset, b.getDouble(offset) - 1);
                } else {
                    b.putFloat(offset, b.getFloat(offset) - 1);
                }
            }
            double scale = g / kept.length;
            if (kept.length == n) {
                calls().scalar(Legacy.SCALAR_MUL, out, scale, out);
                return;
            }
            try (Scratch s = backend.scratch()) {
                INDArray rows = s.take(dtype, Shape.of(n, 1)); // scale for kept rows, 0 for ignored ones
                calls().scalar(Legacy.SCALAR_SET, rows, 0, rows);
                ByteBuffer r = rows.data().asNio().order(ByteOrder.nativeOrder());
                for (long at : kept) {
                    int row = (int) (at / v);
                    if (dtype == DType.F64) {
                        r.putDouble(8 * row, scale);
                    } else {
                        r.putFloat(4 * row, (float) scale);
                    }
                }
                calls().custom(NdOp.MULTIPLY, out, out, rows);
            }
        });
    }

    /** Flat positions {@code i * V + target[i]} of the rows whose target is not ignored. */
    private long[] keptPositions(NativeTensor targets, long ignoreIndex, int v) {
        ByteBuffer b = kernels.toBuffer(targets);
        int n = targets.shape().size();
        long[] kept = new long[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            long t = targets.dtype() == DType.I32 ? b.getInt(4 * i) : b.getLong(8 * i);
            if (t != ignoreIndex) {
                kept[count++] = (long) i * v + t;
            }
        }
        return java.util.Arrays.copyOf(kept, count);
    }

    private double scalarValue(NativeTensor t) {
        ByteBuffer b = kernels.toBuffer(t);
        return t.dtype() == DType.F64 ? b.getDouble(0) : b.getFloat(0);
    }

    // ---- layer norm ----------------------------------------------------------------------------------

    @Override
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        Shape shape = x.shape();
        int c = shape.dim(-1);
        int rows = shape.size() / c;
        DType dtype = x.dtype();
        Shape column = Shape.of(rows, 1);
        NdTensor mean = backend.allocate(dtype, column);
        NdTensor rstd = backend.allocate(dtype, column);
        try {
            if (dtype == DType.F32 && rows > 0) {
                NdTensor y = kernels.compute(shape, dtype, out -> FloatLayerNorm.forward(backend.host(), array(x),
                        weight == null ? null : array(weight), bias == null ? null : array(bias), eps, rows, c,
                        mean.array(), rstd.array(), out));
                return new Result(y, List.of(mean, rstd));
            }
            INDArray x2 = view(array(x), rows, c);
            INDArray var = rstd.array();
            calls().custom(NdOp.MOMENTS, new INDArray[] {x2}, new INDArray[] {view(mean.array(), rows), view(var, rows)},
                    new long[] {1}, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
            calls().scalar(Legacy.SCALAR_ADD, var, eps, var);
            calls().transform(Legacy.RSQRT, var, var);
            NdTensor y = kernels.compute(shape, dtype, out -> {
                INDArray y2 = view(out, rows, c);
                calls().custom(NdOp.SUBTRACT, y2, x2, mean.array());
                calls().custom(NdOp.MULTIPLY, y2, y2, rstd.array());
                if (weight != null) {
                    calls().custom(NdOp.MULTIPLY, y2, y2, view(array(weight), 1, c));
                }
                if (bias != null) {
                    calls().custom(NdOp.ADD, y2, y2, view(array(bias), 1, c));
                }
            });
            return new Result(y, List.of(mean, rstd));
        } catch (RuntimeException | Error e) {
            mean.close();
            rstd.close();
            throw e;
        }
    }

    @Override
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps,
                                            Result forward, NativeTensor gradOut) {
        Shape shape = x.shape();
        int c = shape.dim(-1);
        int rows = shape.size() / c;
        DType dtype = x.dtype();
        Shape matrix = Shape.of(rows, c);
        Shape column = Shape.of(rows, 1);
        INDArray mean = array(forward.saved(0));
        INDArray rstd = array(forward.saved(1));
        if (dtype == DType.F32 && rows > 0) {
            return layerNormBackwardF32(x, weight, bias, mean, rstd, gradOut, rows, c);
        }
        INDArray x2 = view(array(x), rows, c);
        INDArray g2 = view(array(gradOut), rows, c);
        NativeTensor dw = null;
        NativeTensor db = null;
        try (Scratch s = backend.scratch()) {
            INDArray xhat = s.take(dtype, matrix);
            calls().custom(NdOp.SUBTRACT, xhat, x2, mean);
            calls().custom(NdOp.MULTIPLY, xhat, xhat, rstd);
            INDArray dxhat = g2;
            if (weight != null) {
                dxhat = s.take(dtype, matrix);
                calls().custom(NdOp.MULTIPLY, dxhat, g2, view(array(weight), 1, c));
            }
            INDArray product = s.take(dtype, matrix);
            INDArray sumD = s.take(dtype, column);
            INDArray sumDx = s.take(dtype, column);
            calls().custom(NdOp.MULTIPLY, product, dxhat, xhat);
            reduceRows(dxhat, sumD);
            reduceRows(product, sumDx);
            calls().scalar(Legacy.SCALAR_MUL, sumD, 1.0 / c, sumD);
            calls().scalar(Legacy.SCALAR_MUL, sumDx, 1.0 / c, sumDx);
            if (weight != null) {
                dw = kernels.compute(Shape.of(c), dtype, out -> {
                    calls().custom(NdOp.MULTIPLY, product, g2, xhat);
                    reduceColumns(product, out);
                });
            }
            if (bias != null) {
                db = kernels.compute(Shape.of(c), dtype, out -> reduceColumns(g2, out));
            }
            INDArray dxhatFinal = dxhat;
            // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
            NativeTensor dx = kernels.compute(shape, dtype, out -> {
                INDArray d2 = view(out, rows, c);
                calls().custom(NdOp.MULTIPLY, d2, xhat, sumDx);
                calls().custom(NdOp.ADD, d2, d2, sumD);
                calls().custom(NdOp.SUBTRACT, d2, dxhatFinal, d2);
                calls().custom(NdOp.MULTIPLY, d2, d2, rstd);
            });
            return new NativeTensor[] {dx, dw, db};
        } catch (RuntimeException | Error e) {
            closeAll(dw, db);
            throw e;
        }
    }

    /** Closes the tensors that were allocated (the others are null). */
    private static void closeAll(NativeTensor... tensors) {
        for (NativeTensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }

    /** {dx, dweight, dbias} by {@link FloatLayerNorm}; the gradients of absent parameters are null. */
    private NativeTensor[] layerNormBackwardF32(NativeTensor x, NativeTensor weight, NativeTensor bias, INDArray mean,
                                                INDArray rstd, NativeTensor gradOut, int rows, int c) {
        NdTensor dw = weight == null ? null : backend.allocate(DType.F32, Shape.of(c));
        NdTensor db = null;
        try {
            db = bias == null ? null : backend.allocate(DType.F32, Shape.of(c));
            NdTensor dbFinal = db;
            NdTensor dx = kernels.compute(x.shape(), DType.F32, out -> FloatLayerNorm.backward(backend.host(), array(x),
                    weight == null ? null : array(weight), mean, rstd, array(gradOut), rows, c, out,
                    dw == null ? null : dw.array(), dbFinal == null ? null : dbFinal.array()));
            return new NativeTensor[] {dx, dw, db};
        } catch (RuntimeException | Error e) {
            closeAll(dw, db);
            throw e;
        }
    }

    /** {@code column (R, 1) = sum over the columns of m (R, C)}. */
    private void reduceRows(INDArray m, INDArray column) {
        calls().custom(NdOp.REDUCE_SUM, new INDArray[] {m}, new INDArray[] {column}, new long[] {1}, new boolean[] {true},
                NativeCalls.NO_REALS);
    }

    /** {@code row (C) = sum over the rows of m (R, C)}. */
    private void reduceColumns(INDArray m, INDArray row) {
        kernels.sumRows(m, DTypes.fromNd4j(m.dataType()), view(row, 1, row.length()));
    }

    // ---- GELU ----------------------------------------------------------------------------------------

    // libnd4j's own tanh-GELU (PreciseGELU) cubes 0.044715 x instead of multiplying x^3 by 0.044715,
    // so the tanh form is composed from its element-wise kernels, as x sigmoid(2u)
    // (0.5 (1 + tanh u) = sigmoid(2u)): libnd4j's sigmoid costs less than half its tanh; the exact
    // form on libnd4j's erf. That is the F64 path: F32 runs in Java (FloatGelu), as libnd4j's
    // transcendentals are slow scalar loops. Both forms save their transcendental (sigmoid(2u) or
    // Phi(x)) for the backward.

    @Override
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        INDArray xa = array(x);
        // saved for the backward, so that it need not recompute the transcendental:
        // s = sigmoid(2u) for the tanh form, Phi(x) for the exact one
        NdTensor saved = backend.allocate(x.dtype(), x.shape());
        try {
            NdTensor out = kernels.compute(x.shape(), x.dtype(), o -> {
                if (x.dtype() == DType.F32 && tanhApproximation) {
                    FloatGelu.tanhForward(backend.host(), xa, saved.array(), o);
                } else if (x.dtype() == DType.F32) {
                    FloatGelu.exactForward(backend.host(), xa, saved.array(), o);
                } else if (tanhApproximation) {
                    sigmoidOfTwoU(xa, saved.array());
                    calls().custom(NdOp.MULTIPLY, o, saved.array(), xa);
                } else {
                    erfCdf(xa, saved.array());
                    calls().custom(NdOp.MULTIPLY, o, saved.array(), xa);
                }
            });
            return new Result(out, List.of(saved));
        } catch (RuntimeException | Error e) {
            saved.close();
            throw e;
        }
    }

    @Override
    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        return kernels.compute(x.shape(), x.dtype(), out -> {
            INDArray xa = array(x);
            if (x.dtype() == DType.F32) {
                INDArray saved = array(forward.saved(0));
                if (tanhApproximation) {
                    FloatGelu.tanhBackward(backend.host(), xa, saved, array(gradOut), out);
                } else {
                    FloatGelu.exactBackward(backend.host(), xa, saved, array(gradOut), out);
                }
                return;
            }
            try (Scratch s = backend.scratch()) {
                INDArray t = s.take(x.dtype(), x.shape());
                if (tanhApproximation) {
                    // s + 2 x s (1 - s) u',  s = sigmoid(2u),  u' = c (1 + 3 a x^2)
                    INDArray sig = array(forward.saved(0));
                    calls().custom(NdOp.MULTIPLY, t, xa, xa);
                    affine(t, 6 * CUBIC_COEFFICIENT * SQRT_2_OVER_PI, 2 * SQRT_2_OVER_PI); // 2 u'
                    calls().custom(NdOp.MULTIPLY, t, t, xa);
                    calls().scalar(Legacy.SCALAR_MUL, sig, -1, out);
                    calls().scalar(Legacy.SCALAR_ADD, out, 1, out); // 1 - s
                    calls().custom(NdOp.MULTIPLY, out, out, sig);
                    calls().custom(NdOp.MULTIPLY, out, out, t);
                    calls().custom(NdOp.ADD, out, out, sig);
                } else {
                    // Phi(x) + x phi(x), Phi(x) saved by the forward
                    calls().custom(NdOp.MULTIPLY, t, xa, xa);
                    calls().scalar(Legacy.SCALAR_MUL, t, -0.5, t);
                    calls().transform(Legacy.EXP, t, t);
                    calls().scalar(Legacy.SCALAR_MUL, t, INV_SQRT_2PI, t);
                    calls().custom(NdOp.MULTIPLY, t, t, xa);
                    calls().custom(NdOp.ADD, out, t, array(forward.saved(0)));
                }
            }
            calls().custom(NdOp.MULTIPLY, out, out, array(gradOut));
        });
    }

    /** {@code a = a * scale + shift} in place. */
    private void affine(INDArray a, double scale, double shift) {
        calls().scalar(Legacy.SCALAR_MUL, a, scale, a);
        calls().scalar(Legacy.SCALAR_ADD, a, shift, a);
    }

    /** {@code out = sigmoid(2u)}, {@code u = c (x + a x^3)}: the tanh-GELU's 0.5 (1 + tanh u). */
    private void sigmoidOfTwoU(INDArray x, INDArray out) {
        calls().custom(NdOp.MULTIPLY, out, x, x);
        affine(out, 2 * CUBIC_COEFFICIENT * SQRT_2_OVER_PI, 2 * SQRT_2_OVER_PI);
        calls().custom(NdOp.MULTIPLY, out, out, x);
        calls().transform(Legacy.SIGMOID, out, out);
    }

    /** {@code out = 0.5 (1 + erf(x / sqrt 2))}. */
    private void erfCdf(INDArray x, INDArray out) {
        calls().scalar(Legacy.SCALAR_MUL, x, INV_SQRT_2, out);
        calls().transform(Legacy.ERF, out, out);
        calls().scalar(Legacy.SCALAR_ADD, out, 1, out);
        calls().scalar(Legacy.SCALAR_MUL, out, 0.5, out);
    }

    // ---- causal attention ----------------------------------------------------------------------------

    /**
     * Scaled scores, then the causal softmax in place (F32: {@link FloatCausalSoftmax}; F64: the
     * cached additive causal mask and the softmax above), probabilities times values.
     */
    @Override
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale, boolean backwardFollows) {
        Shape qs = q.shape();
        int tq = qs.dim(2);
        int tk = key.shape().dim(2);
        DType dtype = q.dtype();
        NdTensor probs = kernels.compute(Shape.of(qs.dim(0), qs.dim(1), tq, tk), dtype, p -> { // (B, H, Tq, Tk), saved
            product(array(q), array(key), false, true, scale, p);
            if (dtype == DType.F32) {
                FloatCausalSoftmax.forward(backend.host(), p, tq, tk);
                return;
            }
            if (tq > 1) {
                calls().custom(NdOp.ADD, p, p, mask(tq, tk, dtype));
            }
            softmaxInto(p, Shape.of(qs.dim(0), qs.dim(1), tq, tk), dtype, p);
        });
        try {
            NativeTensor out = kernels.compute(qs, dtype, o -> product(probs.array(), array(value), false, false, 1, o));
            return new Result(out, List.of(probs));
        } catch (RuntimeException | Error e) {
            probs.close();
            throw e;
        }
    }

    @Override
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale,
                                                  Result forward, NativeTensor gradOut) {
        INDArray probs = array(forward.saved(0));
        Shape ps = forward.saved(0).shape();
        DType dtype = q.dtype();
        INDArray g = array(gradOut);
        NativeTensor[] grads = new NativeTensor[3];
        try (Scratch s = backend.scratch()) {
            grads[2] = kernels.compute(value.shape(), dtype, dv -> product(probs, g, true, false, 1, dv));
            INDArray ds = s.take(dtype, ps);
            if (ps.numel() > 0) {
                INDArray dp = s.take(dtype, ps);
                product(g, array(value), false, true, 1, dp);
                softmaxGradient(s, probs, dp, ps, dtype, ds);
            }
            grads[0] = kernels.compute(q.shape(), dtype, dq -> product(ds, array(key), false, false, scale, dq));
            grads[1] = kernels.compute(key.shape(), dtype, dk -> product(ds, array(q), true, false, scale, dk));
            return grads;
        } catch (RuntimeException | Error e) {
            for (NativeTensor t : grads) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
    }

    /** {@code out = alpha op(a) @ op(b)} for operands with the same batch dims. */
    private void product(INDArray a, INDArray b, boolean transposeA, boolean transposeB, double alpha, INDArray out) {
        if (a.length() == 0 || b.length() == 0) {
            calls().scalar(Legacy.SCALAR_SET, out, 0, out);
            return;
        }
        calls().custom(NdOp.MATMUL, new INDArray[] {a, b}, new INDArray[] {out}, new long[] {transposeA ? 1 : 0, transposeB ? 1 : 0},
                NativeCalls.NO_BOOLS, new double[] {alpha, 0});
    }

    /** (1, 1, Tq, Tk) additive mask: 0 where query i (at position Tk - Tq + i) may see key j, else -inf. */
    private INDArray mask(int tq, int tk, DType dtype) {
        MaskKey k = new MaskKey(tq, tk, dtype);
        INDArray m = masks.get(k);
        if (m != null) {
            return m;
        }
        if (masks.size() >= MAX_CACHED_MASKS) {
            clearMasks();
        }
        INDArray made = backend.scratch(dtype, maskShape(tq, tk));
        ByteBuffer b = made.data().asNio().order(ByteOrder.nativeOrder());
        int offset = tk - tq;
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j < tk; j++) {
                double v = j <= i + offset ? 0 : Double.NEGATIVE_INFINITY;
                int at = i * tk + j;
                if (dtype == DType.F64) {
                    b.putDouble(8 * at, v);
                } else {
                    b.putFloat(4 * at, (float) v);
                }
            }
        }
        INDArray raced = masks.putIfAbsent(k, made);
        if (raced != null) {
            backend.recycle(dtype, maskShape(tq, tk), made);
            return raced;
        }
        return made;
    }

    private static Shape maskShape(int tq, int tk) {
        return Shape.of(1, 1, tq, tk);
    }

    /** Gives the cached masks back to the pool. */
    void clearMasks() {
        for (Map.Entry<MaskKey, INDArray> e : masks.entrySet()) {
            if (masks.remove(e.getKey(), e.getValue())) {
                backend.recycle(e.getKey().dtype(), maskShape(e.getKey().tq(), e.getKey().tk()), e.getValue());
            }
        }
    }

    // ---- AdamW -----------------------------------------------------------------------------------------

    /**
     * In place. F32 runs in Java ({@link FloatAdamW}, one pass). F64: libnd4j's Adam updater on
     * {@code m} and {@code v} in place, then the decoupled decay and the step on {@code param} in
     * place (3 ops). libnd4j computes {@code lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps')};
     * with {@code eps' = eps sqrt(1 - b2^t)} that is exactly PyTorch's
     * {@code lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
     */
    @Override
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        INDArray p = array(param);
        if (param.shape().numel() == 0) {
            return new NativeTensor[] {param, m, v};
        }
        if (param.dtype() == DType.F32) {
            FloatAdamW.update(backend.host(), p, array(grad), array(m), array(v), s);
            return new NativeTensor[] {param, m, v};
        }
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        try (Scratch scratch = backend.scratch()) {
            INDArray update = scratch.take(param.dtype(), param.shape());
            calls().custom(NdOp.ADAM_UPDATER, new INDArray[] {array(grad), array(v), array(m)},
                    new INDArray[] {update, array(v), array(m)}, new long[] {s.step() - 1}, NativeCalls.NO_BOOLS,
                    new double[] {s.lr(), s.beta1(), s.beta2(), s.eps() * Math.sqrt(bc2)});
            if (s.weightDecay() != 0) {
                calls().scalar(Legacy.SCALAR_MUL, p, 1 - s.lr() * s.weightDecay(), p);
            }
            calls().custom(NdOp.SUBTRACT, p, p, update);
        }
        return new NativeTensor[] {param, m, v};
    }
}
