package dev.llmforge.nn;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;

/**
 * Rotary position embedding (RoPE). Pairs of head-dimension elements are rotated by the angle
 * {@code position * theta^(-2j/D)}. The pairs are (2j, 2j+1) in the {@link Style#INTERLEAVED} layout
 * (Meta's LLaMA and llama2.c) and (j, j + D/2) in the {@link Style#HALF} layout (Hugging Face).
 *
 * <p>Computed as {@code x * cos + (x @ R) * sin}, where R is the constant (D, D) signed permutation
 * that maps each pair (a, b) to (-b, a): four kernel calls, cos/sin tables built once on the host.
 */
public final class RotaryEmbedding extends Module {
    /** Which elements form a rotated pair. */
    public enum Style { INTERLEAVED, HALF }

    private final int headDim;
    private final int maxPositions;
    private final Tensor cos; // (maxPositions, D)
    private final Tensor sin; // (maxPositions, D)
    private final Tensor rotation; // (D, D)

    public RotaryEmbedding(TensorFactory tensors, DType dtype, int headDim, int maxPositions, double theta, Style style) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head dimension, got " + headDim);
        }
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        double[] c = new double[maxPositions * headDim];
        double[] s = new double[maxPositions * headDim];
        double[] r = new double[headDim * headDim];
        int half = headDim / 2;
        for (int j = 0; j < half; j++) {
            int a = style == Style.INTERLEAVED ? 2 * j : j;
            int b = style == Style.INTERLEAVED ? 2 * j + 1 : j + half;
            double freq = 1.0 / Math.pow(theta, 2.0 * j / headDim);
            for (int p = 0; p < maxPositions; p++) {
                double angle = p * freq;
                c[p * headDim + a] = Math.cos(angle);
                c[p * headDim + b] = Math.cos(angle);
                s[p * headDim + a] = Math.sin(angle);
                s[p * headDim + b] = Math.sin(angle);
            }
            r[b * headDim + a] = -1; // rot(x)[a] = -x[b]
            r[a * headDim + b] = 1; // rot(x)[b] = x[a]
        }
        this.cos = registerBuffer(tensors.of(c, Shape.of(maxPositions, headDim), dtype));
        this.sin = registerBuffer(tensors.of(s, Shape.of(maxPositions, headDim), dtype));
        this.rotation = registerBuffer(tensors.of(r, Shape.of(headDim, headDim), dtype));
    }

    /** The cos/sin rows for positions [start, start + length), shared by every layer of one forward. */
    public Tables tables(int start, int length) {
        if (start < 0 || start + length > maxPositions) {
            throw new IllegalArgumentException("RoPE: positions [" + start + ", " + (start + length) + ") exceed the table of "
                    + maxPositions + " positions");
        }
        return new Tables(cos.slice(0, start, start + length), sin.slice(0, start, start + length));
    }

    /**
     * cos/sin rows of the given positions, read by gather (the positions may be data of a captured
     * step): I64 (T) shared by every row gives tables (T, D); (B, T), one row of positions per
     * sequence (padded batches), gives (B, 1, T, D).
     */
    public Tables tables(Tensor positions) {
        Tensor c = cos.gather(0, positions); // (T, D) or (B, T, D)
        Tensor s = sin.gather(0, positions);
        if (positions.rank() == 1) {
            return new Tables(c, s);
        }
        int b = positions.dim(0);
        int t = positions.dim(1);
        return new Tables(c.reshape(b, 1, t, headDim), s.reshape(b, 1, t, headDim));
    }

    /** x (B, H, T, D) rotated for the positions of {@code tables} (T of them, shared or per row). */
    public Tensor apply(Tensor x, Tables tables) {
        if (x.dim(-1) != headDim || x.dim(-2) != tables.cos().dim(-2)) {
            throw new IllegalArgumentException("RoPE: expected (..., " + tables.cos().dim(-2) + ", " + headDim + "), got " + x.shape());
        }
        return x.mul(tables.cos()).add(x.matmul(rotation).mul(tables.sin()));
    }

    public int headDim() {
        return headDim;
    }

    /** cos and sin (T, D) for positions shared by every row, or (B, 1, T, D) for per-row positions. */
    public record Tables(Tensor cos, Tensor sin) {
    }
}
