package dev.llmforge.backend.djl;

import ai.djl.pytorch.engine.PtNDArray;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PyTorch tensor handle. Handles made by view operations (reshape, permute, expand, slice, a
 * same-type cast) share their source's storage; the shared {@link Storage} counts the open handles
 * on it, so the in-place AdamW kernel can tell whether writing into a handle would change another
 * live tensor.
 */
final class DjlTensor implements NativeTensor {
    /** Counts the open handles on one PyTorch storage. */
    static final class Storage {
        private final AtomicInteger handles = new AtomicInteger(1);
    }

    private final PtNDArray array;
    private final Shape shape;
    private final DType dtype;
    private final Storage storage;
    private final boolean view;
    private boolean closed;
    private boolean differentiated;

    private DjlTensor(PtNDArray array, Shape shape, DType dtype, Storage storage, boolean view) {
        this.array = array;
        this.shape = shape;
        this.dtype = dtype;
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
        if (closed) {
            throw new IllegalStateException("djl tensor " + shape + " " + dtype + " used after close");
        }
        return array;
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
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.handles.decrementAndGet();
            array.close();
        }
    }

    @Override
    public String toString() {
        return "DjlTensor(" + shape + " " + dtype + (closed ? ", closed" : "") + ")";
    }
}
