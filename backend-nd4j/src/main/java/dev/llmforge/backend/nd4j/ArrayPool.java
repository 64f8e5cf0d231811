package dev.llmforge.backend.nd4j;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Recycles the off-heap arrays of closed tensors. Allocating an ND4J array costs several
 * microseconds (a native allocation, a deallocator registration, Java garbage), more than a small
 * element-wise op, and a training step allocates the same shapes every time: a closed tensor's
 * array goes back here and the next request for that dtype and shape takes it.
 *
 * <p>Memory is still released deterministically: the pool holds at most {@code capacityBytes};
 * beyond that the least recently used shapes are freed at once ({@link INDArray#close()}), and
 * {@link #clear()} frees everything. Arrays in the pool belong to no tensor.
 */
final class ArrayPool {
    private record Key(DType dtype, Shape shape) {
    }

    private final long capacityBytes;
    /** Free arrays by dtype and shape, least recently used first. */
    private final LinkedHashMap<Key, ArrayDeque<INDArray>> free = new LinkedHashMap<>(64, 0.75f, true);
    private long pooledBytes;
    private long allocations;

    ArrayPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** A C-ordered array of this dtype and shape with undefined contents, owned by the caller. */
    INDArray take(DType dtype, Shape shape) {
        if (shape.numel() > 0) {
            synchronized (this) {
                ArrayDeque<INDArray> arrays = free.get(new Key(dtype, shape));
                if (arrays != null && !arrays.isEmpty()) {
                    INDArray a = arrays.pop();
                    pooledBytes -= bytes(dtype, shape);
                    return a;
                }
                allocations++;
            }
        }
        return allocate(dtype, shape);
    }

    /** Takes back an array made by {@link #take} with the same dtype and shape; the caller must not use it again. */
    void give(DType dtype, Shape shape, INDArray array) {
        long size = bytes(dtype, shape);
        if (size == 0) {
            return; // zero-size arrays own no memory
        }
        if (size > capacityBytes) {
            array.close();
            return;
        }
        synchronized (this) {
            evictUntilFree(size);
            free.computeIfAbsent(new Key(dtype, shape), k -> new ArrayDeque<>()).push(array);
            pooledBytes += size;
        }
    }

    /** Bytes held by free arrays. */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** Native allocations made so far (requests the pool could not serve). */
    synchronized long allocations() {
        return allocations;
    }

    /** Frees every pooled array. */
    synchronized void clear() {
        for (ArrayDeque<INDArray> arrays : free.values()) {
            for (INDArray a : arrays) {
                a.close();
            }
        }
        free.clear();
        pooledBytes = 0;
    }

    private void evictUntilFree(long needed) {
        Iterator<Map.Entry<Key, ArrayDeque<INDArray>>> it = free.entrySet().iterator();
        while (pooledBytes + needed > capacityBytes && it.hasNext()) {
            Map.Entry<Key, ArrayDeque<INDArray>> e = it.next();
            long each = bytes(e.getKey().dtype(), e.getKey().shape());
            for (INDArray a : e.getValue()) {
                a.close();
                pooledBytes -= each;
            }
            it.remove();
        }
    }

    private static INDArray allocate(DType dtype, Shape shape) {
        long[] dims = longDims(shape);
        if (shape.numel() == 0) {
            return Nd4j.create(DTypes.toNd4j(dtype), dims);
        }
        return Nd4j.createUninitializedDetached(DTypes.toNd4j(dtype), 'c', dims);
    }

    static long[] longDims(Shape shape) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        return dims;
    }

    private static long bytes(DType dtype, Shape shape) {
        return shape.numel() * dtype.byteSize();
    }
}
