package dev.llmforge.backend.nd4j;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One thread's Java arrays for the F32 kernels written in Java ({@link FloatGelu},
 * {@link FloatLayerNorm}, {@link FloatAdamW}, {@link FloatCausalSoftmax}, {@link FloatCrossEntropy},
 * the F32 {@code scatterAdd} of rows, {@link #sumAll}): operands are copied in (a bulk copy, about
 * as fast as a memcpy), computed in loops the JIT vectorizes, and copied back. Each
 * slot grows to the largest request and is reused, so a training step allocates nothing here
 * after its first; the arrays live as long as the thread.
 *
 * <p>Not thread-safe: {@link Nd4jBackend} keeps one per thread.
 */
final class HostFloats {
    private final float[][] slots = new float[10][0];

    /** Slot {@code slot}, at least {@code n} long, contents undefined. */
    float[] take(int slot, int n) {
        if (slots[slot].length < n) {
            slots[slot] = new float[n];
        }
        return slots[slot];
    }

    /** Slot {@code slot} holding a copy of {@code a}'s elements (in row-major order). */
    float[] read(INDArray a, int slot) {
        int n = Math.toIntExact(a.length());
        float[] values = take(slot, n);
        floats(a).get(values, 0, n);
        return values;
    }

    /** Writes the first {@code to.length()} elements of {@code values} into {@code to}. */
    static void write(float[] values, INDArray to) {
        floats(to).put(values, 0, Math.toIntExact(to.length()));
    }

    private static FloatBuffer floats(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * The sum of all of {@code a}'s elements (F32): blocks of 4,096 summed in float as
     * {@link #sum}, the block sums in double. In nanoGPT's training step libnd4j's reduce_sum over
     * every axis (mostly the gradient-norm terms) was slow and erratic, though fast in isolation
     * (cause not pinned down); this is a small fraction of it (figures in the module README).
     */
    double sumAll(INDArray a) {
        float[] values = read(a, 9);
        int n = Math.toIntExact(a.length());
        double total = 0;
        for (int from = 0; from < n; from += 4096) {
            total += sum(values, from, Math.min(4096, n - from));
        }
        return total;
    }

    /** {@code a[from] + ... + a[from + n - 1]} in four interleaved partial sums (a single one is latency-bound). */
    static float sum(float[] a, int from, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = from;
        int end = from + n;
        for (; i + 3 < end; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < end; i++) {
            s0 += a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code max(a[from], ..., a[from + n - 1])} in four interleaved partial maxima; NaN if one is NaN. */
    static float max(float[] a, int from, int n) {
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        int i = from;
        int end = from + n;
        for (; i + 3 < end; i += 4) {
            m0 = Math.max(m0, a[i]);
            m1 = Math.max(m1, a[i + 1]);
            m2 = Math.max(m2, a[i + 2]);
            m3 = Math.max(m3, a[i + 3]);
        }
        for (; i < end; i++) {
            m0 = Math.max(m0, a[i]);
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /** {@code sum of a[aFrom + i] * b[bFrom + i]} for {@code i < n}, as {@link #sum}. */
    static float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aFrom + i] * b[bFrom + i];
            s1 += a[aFrom + i + 1] * b[bFrom + i + 1];
            s2 += a[aFrom + i + 2] * b[bFrom + i + 2];
            s3 += a[aFrom + i + 3] * b[bFrom + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aFrom + i] * b[bFrom + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
