package dev.llmforge.nn;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
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
 *       the position is data ({@link #layout}), so a captured step compiles once and runs for
 *       every token.</li>
 * </ul>
 *
 * <p>Padded batches (prompts of different lengths, left-padded): the cache remembers which slots of
 * each row hold padding and how many real tokens each row has, so that later tokens get their row's
 * positions and never attend to its padding ({@link #layout}).
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private final boolean fixedSize;
    private int length;
    // once a padded batch is cached: which slots of each row hold real tokens (B, capacity), and how
    // many real tokens each row has (its next position); null while every cached token is real
    private boolean[] realSlots;
    private int[] realCounts;
    private PaddingMask pending; // the padding of the pass being cached, until advance()
    // where a one-position step writes (fixed size); it belongs to the step's scope, so a step that
    // failed before advance() leaves it closed, and the next step makes it again
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
     * The layout of a pass of {@code t} new tokens per row continuing this cache: their positions and
     * the keys each may see (the cached slots and the pass's own, causally). {@code padding} (B, t)
     * marks the new tokens that are padding (null: all real). Once a padded pass is cached, later
     * passes keep per-row positions and masks; until then a growing cache needs no mask, and a
     * fixed-size one the causal mask over its slots. The caller runs the pass, then {@link #advance}.
     */
    public TokenLayout layout(int batch, int t, PaddingMask padding, TensorFactory tensors, DType dtype) {
        if (padding != null && (padding.batch() != batch || padding.length() != t)) {
            throw new IllegalArgumentException("attention mask of " + padding.batch() + " x " + padding.length() + " does not match the "
                    + batch + " x " + t + " tokens of this pass");
        }
        if (realSlots != null && realSlots.length != batch * capacity) {
            throw new IllegalArgumentException("this cache holds " + realSlots.length / capacity + " rows, the pass has " + batch);
        }
        pending = padding;
        if (realSlots == null && (padding == null || !padding.hasPadding())) {
            if (!fixedSize) {
                return new TokenLayout(null, length, null);
            }
            // the positions are data, so that every one-token step runs the same kernels
            long[] p = new long[t];
            for (int i = 0; i < t; i++) {
                p[i] = length + i;
            }
            return new TokenLayout(tensors.of(p, t), 0, TokenLayout.additiveMask(tensors, dtype, 1, t, length, capacity, (r, query, key) -> true));
        }
        if (realSlots == null) {
            realSlots = new boolean[batch * capacity];
            realCounts = new int[batch];
            for (int b = 0; b < batch; b++) {
                Arrays.fill(realSlots, b * capacity, b * capacity + length, true);
                realCounts[b] = length;
            }
        }
        PaddingMask step = padding != null ? padding : PaddingMask.of(filled(batch * t), batch, t);
        Tensor positions = tensors.of(step.positions(realCounts), batch, t);
        int keys = fixedSize ? capacity : length + t;
        TokenLayout.Visible visible = (r, query, j) -> j < length ? realSlots[r * capacity + j] : step.isReal(r, j - length);
        return new TokenLayout(positions, 0, TokenLayout.additiveMask(tensors, dtype, batch, t, length, keys, visible));
    }

    private static boolean[] filled(int n) {
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        return all;
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
        if (realSlots != null) {
            for (int b = 0; b < realCounts.length; b++) {
                for (int i = 0; i < n; i++) {
                    boolean real = pending == null || pending.isReal(b, i);
                    realSlots[b * capacity + length + i] = real;
                    realCounts[b] += real ? 1 : 0;
                }
            }
        }
        pending = null;
        length += n;
        writeSlots = null;
    }

    /**
     * Makes row i of the cache a copy of row {@code sources[i]} (every layer's keys and values, and which of its
     * slots are padding), so that a prompt read once can be continued by several rows: the rows (B) become
     * {@code sources.length}. Call between passes (after {@link #advance}).
     */
    public void selectRows(int[] sources) {
        if (pending != null) {
            throw new IllegalStateException("KvCache.selectRows: a pass is being cached; call advance() first");
        }
        if (length == 0) {
            throw new IllegalStateException("KvCache.selectRows: the cache is empty, it has no rows to select");
        }
        int batch = keys[0].dim(0);
        long[] index = new long[sources.length];
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] < 0 || sources[i] >= batch) {
                throw new IllegalArgumentException("KvCache.selectRows: row " + sources[i] + " does not exist; the cache holds " + batch + " rows");
            }
            index[i] = sources[i];
        }
        try (TensorScope ignored = TensorScope.open()) {
            Tensor rows = tensors(keys[0]).of(index, sources.length);
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer] = replaced(keys[layer], keys[layer].gather(0, rows));
                values[layer] = replaced(values[layer], values[layer].gather(0, rows));
            }
        }
        if (realSlots != null) {
            boolean[] slots = new boolean[sources.length * capacity];
            int[] counts = new int[sources.length];
            for (int i = 0; i < sources.length; i++) {
                System.arraycopy(realSlots, sources[i] * capacity, slots, i * capacity, capacity);
                counts[i] = realCounts[sources[i]];
            }
            realSlots = slots;
            realCounts = counts;
        }
    }

    private static Tensor replaced(Tensor old, Tensor selected) {
        Tensor kept = selected.detachFromScope();
        old.close();
        return kept;
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
        realSlots = null;
        realCounts = null;
        pending = null;
    }

    @Override
    public void close() {
        clear();
    }
}
