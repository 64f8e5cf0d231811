package dev.llmforge.nn;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the positions a model has already seen, per layer, so that generation feeds
 * each new token once. The cache owns its tensors (outside any scope) until {@link #clear()} or
 * {@link #close()}. For inference only: gradients do not flow through a cache.
 *
 * <p>Two layouts:
 * <ul>
 *   <li>{@linkplain #KvCache(int, int) growing}: each layer holds k and v (B, Hkv, T, D) that grow by
 *       concatenation; attention is causal over the positions so far. Fewest kernel calls when each
 *       step runs eagerly.</li>
 *   <li>{@linkplain #fixedSize(int, int) fixed-size}: each layer holds k and v (B, Hkv, capacity, D)
 *       from the start; a step writes its positions by selection and attends over all of them with
 *       a mask hiding the ones not yet written. Every one-token step then has the same shapes and
 *       the position is data ({@link #positions}, {@link #attentionMask}), so a captured step
 *       compiles once and runs for every token.</li>
 * </ul>
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private final boolean fixedSize;
    private int length;
    // tensors of the current step shared by its layers (fixed size); they belong to the step's scope,
    // so a step that failed before advance() leaves them closed, and the next step makes them again
    private Tensor positions;
    private Tensor attentionMask;
    private Tensor writeSlots;

    /** A growing cache for {@code layers} layers holding at most {@code capacity} positions. */
    public KvCache(int layers, int capacity) {
        this(layers, capacity, false);
    }

    private KvCache(int layers, int capacity, boolean fixedSize) {
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        this.capacity = capacity;
        this.fixedSize = fixedSize;
    }

    /** A fixed-size cache for {@code layers} layers of {@code capacity} positions (see the class comment). */
    public static KvCache fixedSize(int layers, int capacity) {
        return new KvCache(layers, capacity, true);
    }

    /** Positions already cached. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int layers() {
        return keys.length;
    }

    public boolean isFixedSize() {
        return fixedSize;
    }

    /**
     * Appends {@code k} and {@code v} (B, Hkv, Tnew, D) for {@code layer} and returns the keys and
     * values to attend over: {past + new} when growing, all {@code capacity} slots when fixed-size.
     * The cache takes ownership of {@code k} and {@code v}; the returned tensors belong to the cache.
     */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        if (GradMode.isEnabled() && (k.requiresGrad() || v.requiresGrad())) {
            throw new IllegalStateException("KvCache is for inference: run the forward under GradMode.noGrad()");
        }
        if (length + k.dim(2) > capacity) {
            throw new IllegalStateException("KvCache: " + length + " cached + " + k.dim(2) + " new positions exceed its capacity of "
                    + capacity);
        }
        keys[layer] = fixedSize ? write(keys[layer], k) : grow(keys[layer], k);
        values[layer] = fixedSize ? write(values[layer], v) : grow(values[layer], v);
        return new Tensor[] {keys[layer], values[layer]};
    }

    private static Tensor grow(Tensor past, Tensor next) {
        if (past == null) {
            return next.detachFromScope();
        }
        Tensor all = Ops.concat(List.of(past, next), 2).detachFromScope();
        past.close();
        next.close();
        return all;
    }

    /** {@code next} written into slots [length, length + Tnew) of {@code slots} (B, Hkv, capacity, D). */
    private Tensor write(Tensor slots, Tensor next) {
        int t = next.dim(2);
        if (slots == null) {
            slots = tensors(next).zeros(Shape.of(next.dim(0), next.dim(1), capacity, next.dim(3)), next.dtype());
        }
        Tensor written;
        if (t == 1) {
            // one position: a selection whose slot is data, so every step has the same kernels
            written = writeSlots(next).where(next, slots); // (1, 1, capacity, 1) selects, next broadcasts
        } else {
            List<Tensor> parts = new ArrayList<>(3);
            if (length > 0) {
                parts.add(slots.slice(2, 0, length));
            }
            parts.add(next);
            if (length + t < capacity) {
                parts.add(slots.slice(2, length + t, capacity));
            }
            written = Ops.concat(parts, 2);
        }
        written = written.detachFromScope();
        slots.close();
        next.close();
        return written;
    }

    /**
     * Positions [length, length + t) as I64 (t): the rows of position tables for this step (fixed
     * size). Made once per step and shared by every caller until {@link #advance}.
     */
    public Tensor positions(TensorFactory tensors, int t) {
        if (positions == null || positions.isClosed()) {
            long[] p = new long[t];
            for (int i = 0; i < t; i++) {
                p[i] = length + i;
            }
            positions = tensors.of(p, t);
        }
        return positions;
    }

    /**
     * The additive mask (1, 1, t, capacity) for this step's t queries over the cache slots (fixed
     * size): 0 where query i may see slot j (j <= length + i), -inf elsewhere.
     */
    public Tensor attentionMask(Tensor like, int t) {
        if (attentionMask == null || attentionMask.isClosed()) {
            float[] m = new float[t * capacity];
            for (int i = 0; i < t; i++) {
                for (int j = length + i + 1; j < capacity; j++) {
                    m[i * capacity + j] = Float.NEGATIVE_INFINITY;
                }
            }
            Tensor mask = tensors(like).of(m, 1, 1, t, capacity);
            attentionMask = mask.dtype() == like.dtype() ? mask : mask.cast(like.dtype());
        }
        return attentionMask;
    }

    /** BOOL (1, 1, capacity, 1), true at slot {@code length}: where a one-position step writes. */
    private Tensor writeSlots(Tensor like) {
        if (writeSlots == null || writeSlots.isClosed()) {
            boolean[] s = new boolean[capacity];
            s[length] = true;
            writeSlots = tensors(like).of(s, 1, 1, capacity, 1);
        }
        return writeSlots;
    }

    private static TensorFactory tensors(Tensor like) {
        return Tensor.on(like.backend(), like.device());
    }

    /** Marks {@code n} more positions as cached, after every layer has appended them. */
    public void advance(int n) {
        length += n;
        positions = null;
        attentionMask = null;
        writeSlots = null;
    }

    /** Empties the cache, freeing its tensors. */
    public void clear() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
            keys[i] = null;
            values[i] = null;
        }
        length = 0;
    }

    @Override
    public void close() {
        clear();
    }
}
