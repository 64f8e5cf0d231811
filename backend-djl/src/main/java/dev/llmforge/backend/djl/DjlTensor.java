package dev.llmforge.backend.djl;

import ai.djl.pytorch.engine.PtNDArray;
import dev.llmforge.spi.CpuTensorHandle;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PyTorch tensor handle. Handles made by view operations (reshape, permute, expand, slice, a
 * same-type cast) share their source's storage; the shared {@link Storage} counts the open handles
 * on it, so the in-place AdamW kernel can tell whether writing into a handle would change another
 * live tensor.
 */
final class DjlTensor extends CpuTensorHandle<PtNDArray> {
    /** Counts the open handles on one PyTorch storage. */
    static final class Storage {
        private final AtomicInteger handles = new AtomicInteger(1);
    }

    private final Storage storage;
    private final boolean view;
    private boolean differentiated;

    private DjlTensor(PtNDArray array, Shape shape, DType dtype, Storage storage, boolean view) {
        super("djl", shape, dtype, array);
        this.storage = storage;
        this.view = view;
        assert DTypes.shape(array).equals(shape) : "native shape " + DTypes.shape(array) + " but claimed " + shape;
        assert DTypes.of(array.getDataType()) == dtype : "native dtype " + array.getDataType() + " but claimed " + dtype;
    }

    /** Wraps an array that owns fresh storage. */
    static DjlTensor fresh(PtNDArray array, Shape shape, DType dtype) {
        return new DjlTensor(array, shape, dtype, new Storage(), false);
    }

    /** Wraps an array that may share the storage of {@code source}. */
    static DjlTensor viewOf(DjlTensor source, PtNDArray array, Shape shape, DType dtype) {
        source.storage.handles.incrementAndGet();
        return new DjlTensor(array, shape, dtype, source.storage, true);
    }

    PtNDArray array() {
        return value();
    }

    /** True if this handle owns its storage and no other open handle shares it: in-place writes are private. */
    boolean writableInPlace() {
        return !view && storage.handles.get() == 1;
    }

    /**
     * For a leaf of a graph a kernel recorded under PyTorch's autograd: true at the first call only. PyTorch
     * frees a recorded graph after one backward, so later backward passes must record the forward again.
     */
    boolean firstBackward() {
        boolean first = !differentiated;
        differentiated = true;
        return first;
    }

    @Override
    protected void release(PtNDArray array) {
        storage.handles.decrementAndGet();
        array.close();
    }
}
