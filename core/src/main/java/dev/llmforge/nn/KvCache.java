package dev.llmforge.nn;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.tensor.Tensor;
import java.util.List;

/**
 * Keys and values of the positions a model has already seen, per layer, so that generation feeds
 * each new token once. Each layer holds k and v (B, Hkv, T, D) that grow by concatenation; the
 * cache owns them (outside any scope) until {@link #clear()} or {@link #close()}. For inference
 * only: gradients do not flow through a cache.
 */
public final class KvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private int length;

    /** A cache for {@code layers} layers holding at most {@code capacity} positions. */
    public KvCache(int layers, int capacity) {
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        this.capacity = capacity;
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

    /**
     * Appends {@code k} and {@code v} (B, Hkv, Tnew, D) for {@code layer} and returns the keys and
     * values of every position so far, {past + new}. The cache takes ownership of {@code k} and
     * {@code v}; the returned tensors belong to the cache.
     */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        if (GradMode.isEnabled() && (k.requiresGrad() || v.requiresGrad())) {
            throw new IllegalStateException("KvCache is for inference: run the forward under GradMode.noGrad()");
        }
        if (length + k.dim(2) > capacity) {
            throw new IllegalStateException("KvCache: " + length + " cached + " + k.dim(2) + " new positions exceed its capacity of "
                    + capacity);
        }
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
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

    /** Marks {@code n} more positions as cached, after every layer has appended them. */
    public void advance(int n) {
        length += n;
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
