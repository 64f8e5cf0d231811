package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.CpuTensorHandle;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A handle on one C-ordered ND4J array that it owns alone: kernels never return views, so no two
 * handles share a buffer, closing one never frees memory another uses, and the in-place AdamW
 * update cannot write into another tensor. Closing gives the array back to the backend's
 * {@link ArrayPool}, which frees it or hands it to the next kernel.
 */
final class NdTensor extends CpuTensorHandle<INDArray> {
    private final Nd4jBackend owner;

    NdTensor(Nd4jBackend owner, DType dtype, Shape shape, INDArray array) {
        super("nd4j", shape, dtype, array);
        this.owner = owner;
        owner.opened();
    }

    /** The array; fails if this handle is closed. */
    INDArray array() {
        return value();
    }

    @Override
    protected void release(INDArray array) {
        owner.release(this, array);
    }
}
