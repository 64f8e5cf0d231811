package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A handle on one C-ordered ND4J array that it owns alone: kernels never return views, so no two
 * handles share a buffer, closing one never frees memory another uses, and the in-place AdamW
 * update cannot write into another tensor. Closing gives the array back to the backend's
 * {@link ArrayPool}, which frees it or hands it to the next kernel.
 */
final class NdTensor implements NativeTensor {
    private final Shape shape;
    private final DType dtype;
    private final Nd4jBackend owner;
    private INDArray array;

    NdTensor(Nd4jBackend owner, DType dtype, Shape shape, INDArray array) {
        this.owner = owner;
        this.dtype = dtype;
        this.shape = shape;
        this.array = array;
        owner.opened();
    }

    /** The array; fails if this handle is closed. */
    INDArray array() {
        INDArray a = array;
        if (a == null) {
            throw new IllegalStateException("nd4j tensor " + shape + " " + dtype + " used after close");
        }
        return a;
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
        INDArray a = array;
        if (a != null) {
            array = null;
            owner.release(this, a);
        }
    }

    @Override
    public String toString() {
        return "NdTensor" + shape + " " + dtype + (array == null ? " (closed)" : "");
    }
}
