package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.Arrays;

/**
 * Which tokens of a batch are real: the host view of an attention mask (B, T) of 0/1 (1 = real
 * token, 0 = padding), the convention of Hugging Face. Padding may sit on the left, on the right, or
 * anywhere; every row needs at least one real token. A token's position counts the real tokens before
 * it in its row (the mask's cumulative sum minus one), so a left-padded row gets the positions it
 * would have alone; padding never decides anything by token id, so the padding id may equal EOS.
 */
public final class PaddingMask {
    private final int batch;
    private final int length;
    private final boolean[] real; // (B, T)

    private PaddingMask(boolean[] real, int batch, int length) {
        this.batch = batch;
        this.length = length;
        this.real = real;
        for (int b = 0; b < batch; b++) {
            if (realCount(b) == 0) {
                throw new IllegalArgumentException("attention mask row " + b + " has no real token (all " + length
                        + " entries are 0): every row needs at least one 1");
            }
        }
    }

    /**
     * Reads an attention mask (B, T) of any dtype whose entries are 0 or 1.
     *
     * @throws IllegalArgumentException if it is not (B, T), holds another value, or a row has no 1
     */
    public static PaddingMask of(Tensor mask) {
        if (mask.rank() != 2) {
            throw new IllegalArgumentException("attention mask must be (B, T) of 0/1, got " + mask.shape());
        }
        double[] values = mask.toDoubleArray();
        boolean[] real = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0 && values[i] != 1) {
                throw new IllegalArgumentException("attention mask entries must be 0 (padding) or 1 (real token), found " + values[i]
                        + " at row " + i / mask.dim(1) + ", position " + i % mask.dim(1));
            }
            real[i] = values[i] == 1;
        }
        return new PaddingMask(real, mask.dim(0), mask.dim(1));
    }

    /** A mask from row-major flags (B·T): true for a real token. */
    public static PaddingMask of(boolean[] real, int batch, int length) {
        if (real.length != batch * length) {
            throw new IllegalArgumentException("attention mask of " + batch + " x " + length + " needs " + batch * length + " entries, got "
                    + real.length);
        }
        return new PaddingMask(real.clone(), batch, length);
    }

    /** Rows of the given real lengths, left-padded to {@code length}: the layout of batched generation. */
    public static PaddingMask leftPadded(int[] realLengths, int length) {
        boolean[] real = new boolean[realLengths.length * length];
        for (int b = 0; b < realLengths.length; b++) {
            if (realLengths[b] > length) {
                throw new IllegalArgumentException("row " + b + " has " + realLengths[b] + " tokens, more than the " + length + " columns");
            }
            Arrays.fill(real, b * length + length - realLengths[b], (b + 1) * length, true);
        }
        return new PaddingMask(real, realLengths.length, length);
    }

    public int batch() {
        return batch;
    }

    public int length() {
        return length;
    }

    public boolean isReal(int row, int t) {
        return real[row * length + t];
    }

    /** True if some entry is padding. */
    public boolean hasPadding() {
        for (boolean r : real) {
            if (!r) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if every row is its real tokens followed by padding (or no padding at all): then each
     * real token's position is its index, and plain causal attention never lets a real token see
     * padding.
     */
    public boolean isRightPaddedOrFull() {
        for (int b = 0; b < batch; b++) {
            for (int t = 1; t < length; t++) {
                if (isReal(b, t) && !isReal(b, t - 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Real tokens in {@code row}. */
    public int realCount(int row) {
        int n = 0;
        for (int t = 0; t < length; t++) {
            n += real[row * length + t] ? 1 : 0;
        }
        return n;
    }

    /** Index of the last real token of {@code row}. */
    public int lastReal(int row) {
        for (int t = length - 1; t >= 0; t--) {
            if (isReal(row, t)) {
                return t;
            }
        }
        throw new IllegalStateException("row " + row + " has no real token");
    }

    /**
     * Positions (B·T), row-major, of tokens that follow {@code before[b]} real tokens already seen
     * in row b (0 for a fresh batch): each real token gets the count of real tokens before it;
     * padding gets the position of the next real token (any valid position would do: nothing reads it).
     */
    public long[] positions(int[] before) {
        long[] p = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            int next = before == null ? 0 : before[b];
            for (int t = 0; t < length; t++) {
                p[b * length + t] = next;
                next += isReal(b, t) ? 1 : 0;
            }
        }
        return p;
    }

    /**
     * {@code x} (B, T, ...) at each row's last real token: (B, ...). Differentiable (a gather);
     * reads by the mask, never by token id.
     */
    public Tensor lastTokens(Tensor x) {
        if (x.rank() < 2 || x.dim(0) != batch || x.dim(1) != length) {
            throw new IllegalArgumentException("expected (" + batch + ", " + length + ", ...) to match the attention mask, got " + x.shape());
        }
        long[] flat = new long[batch];
        for (int b = 0; b < batch; b++) {
            flat[b] = (long) b * length + lastReal(b);
        }
        int[] rows = x.shape().dims();
        int[] merged = new int[rows.length - 1];
        merged[0] = batch * length;
        System.arraycopy(rows, 2, merged, 1, merged.length - 1);
        return x.reshape(merged).gather(0, Tensor.on(x.backend(), x.device()).of(flat, batch)); // (B, ...)
    }

    /** The mask as a tensor (B, T) of {@code 1}/{@code 0} in F32. */
    public Tensor toTensor(TensorFactory tensors) {
        float[] v = new float[real.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = real[i] ? 1 : 0;
        }
        return tensors.of(v, batch, length);
    }
}
