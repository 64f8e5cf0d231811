package dev.llmforge.distributed;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The data-parallel part of a training step: every replica holds the same model, computes gradients on
 * its share of the global batch, and calls {@link #averageGradients()} between {@code backward()} and
 * gradient clipping / the optimiser step, so that every replica then applies the same update. With the
 * loss a mean over each replica's equally sized share, the averaged gradient is the gradient of the mean
 * loss over the global batch, as one machine computes it (up to float rounding).
 *
 * <pre>{@code
 * DataParallel dp = new DataParallel(collective, model.namedParameters());
 * dp.broadcastParameters();                 // once, before the first step: rank 0's values everywhere
 * for (...) {
 *     model.loss(x, y).backward();          // this replica's rows of the global batch
 *     dp.averageGradients();                // mean over replicas, written back into each grad()
 *     adamw.step();
 *     adamw.zeroGrad();
 * }
 * }</pre>
 *
 * <p>Gradients are read to the host parameter by parameter, packed back to back in buckets of
 * {@code bucketFloats} elements (PyTorch DDP's 25 MiB by default), all-reduced bucket by bucket and
 * written back divided by the number of replicas. Parameters are F32. A parameter without a gradient
 * on some replicas counts as zero there; one without a gradient on every replica keeps none (so the
 * optimiser skips it, as on one machine).
 */
public final class DataParallel {
    /** PyTorch DDP's default bucket ({@code bucket_cap_mb=25}), in floats. */
    public static final int DEFAULT_BUCKET_FLOATS = 25 * 1024 * 1024 / Float.BYTES;

    private final Collective collective;
    private final List<String> names;
    private final List<Tensor> parameters;
    private final int bucketFloats;

    public DataParallel(Collective collective, Map<String, Tensor> parameters) {
        this(collective, parameters, DEFAULT_BUCKET_FLOATS);
    }

    public DataParallel(Collective collective, Map<String, Tensor> parameters, int bucketFloats) {
        if (bucketFloats <= 0) {
            throw new IllegalArgumentException("bucket size must be positive, got " + bucketFloats + " floats");
        }
        this.collective = collective;
        this.names = new ArrayList<>(parameters.keySet());
        this.parameters = new ArrayList<>(parameters.values());
        this.bucketFloats = bucketFloats;
        for (int i = 0; i < names.size(); i++) {
            Tensor p = this.parameters.get(i);
            if (p.dtype() != DType.F32) {
                throw new IllegalArgumentException("data-parallel training needs F32 parameters; '" + names.get(i) + "' is " + p.describe());
            }
        }
    }

    public Collective collective() {
        return collective;
    }

    /** Elements all-reduced per step: every parameter element and one flag per parameter. */
    public long floatsPerStep() {
        long n = parameters.size();
        for (Tensor p : parameters) {
            n += p.shape().numel();
        }
        return n;
    }

    /**
     * Checks that every replica has the same parameter names, shapes and order, then gives every replica
     * rank 0's values. Call once before the first step (and after loading a checkpoint on rank 0 only).
     */
    public void broadcastParameters() {
        checkSameParameters();
        Buckets buckets = new Buckets(bucketFloats, bucket -> collective.broadcast(bucket, 0));
        for (Tensor p : parameters) {
            buckets.add(p.toFloatArray(), values -> {
                if (collective.rank() != 0) {
                    p.replaceWith(Tensor.on(p.backend(), p.device()).of(values, p.shape().dims()));
                }
            });
        }
        buckets.finish();
    }

    /**
     * Replaces every parameter's gradient by its mean over the replicas. The stream starts with one flag
     * per parameter (has a gradient here), so replicas learn which parameters have a gradient anywhere
     * in the same all-reduce as the gradients, without an extra round trip.
     */
    public void averageGradients() {
        int replicas = collective.size();
        float[] withGradient = new float[parameters.size()]; // after the first bucket: how many replicas have one
        for (int i = 0; i < withGradient.length; i++) {
            withGradient[i] = parameters.get(i).grad() != null ? 1f : 0f;
        }
        Buckets buckets = new Buckets(bucketFloats, collective::allReduce);
        buckets.add(withGradient, counts -> { });
        for (int i = 0; i < parameters.size(); i++) {
            int index = i;
            Tensor p = parameters.get(i);
            Tensor grad = p.grad();
            float[] local = grad != null ? grad.toFloatArray() : new float[Math.toIntExact(p.shape().numel())];
            buckets.add(local, sum -> {
                if (withGradient[index] == 0f) {
                    return; // no replica has a gradient: keep none, as one machine would
                }
                for (int k = 0; k < sum.length; k++) {
                    sum[k] /= replicas;
                }
                p.setGrad(Tensor.on(p.backend(), p.device()).of(sum, p.shape().dims()));
            });
        }
        buckets.finish();
    }

    /**
     * The element-wise mean of {@code values} over the replicas, in place (one all-reduce): what every
     * replica logs as the global loss and metrics. Returns {@code values}.
     */
    public float[] mean(float[] values) {
        collective.allReduce(FloatBuffer.wrap(values));
        for (int i = 0; i < values.length; i++) {
            values[i] /= collective.size();
        }
        return values;
    }

    /** Every replica compares a fingerprint of its parameter list with rank 0's; all fail together if any differs. */
    private void checkSameParameters() {
        long fingerprint = fingerprint();
        float[] rootPrint = pieces(fingerprint);
        collective.broadcast(FloatBuffer.wrap(rootPrint), 0);
        boolean differs = fingerprint != joined(rootPrint);
        float[] mismatches = {differs ? 1f : 0f};
        collective.allReduce(FloatBuffer.wrap(mismatches));
        if (mismatches[0] > 0) {
            throw new IllegalStateException(String.format(
                    "%d of %d replicas have parameters (names, shapes, order) that differ from rank 0's%s: every replica must build the same model",
                    (int) mismatches[0], collective.size(),
                    differs ? "; this one (rank " + collective.rank() + ", " + names.size() + " parameters: " + names + ") is one of them" : ""));
        }
    }

    /** FNV-1a over "name shape;" of every parameter, in order. */
    private long fingerprint() {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < names.size(); i++) {
            for (byte b : (names.get(i) + " " + parameters.get(i).shape() + ";").getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
        }
        return h;
    }

    /** A long as four 16-bit pieces, each exact in a float. */
    private static float[] pieces(long v) {
        float[] out = new float[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (v >>> (16 * i)) & 0xffff;
        }
        return out;
    }

    private static long joined(float[] pieces) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v |= ((long) pieces[i]) << (16 * i);
        }
        return v;
    }
}
