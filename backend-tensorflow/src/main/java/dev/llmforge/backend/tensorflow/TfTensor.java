package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteTensorHandle;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleDataType;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleDim;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleNumDims;

import dev.llmforge.spi.CpuTensorHandle;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.internal.c_api.TFE_TensorHandle;

/** An eager TensorFlow tensor: one {@code TFE_TensorHandle}, deleted when closed. */
final class TfTensor extends CpuTensorHandle<TFE_TensorHandle> implements TfValue {
    private final AtomicLong live;

    private TfTensor(TFE_TensorHandle handle, Shape shape, DType dtype, AtomicLong live) {
        super("TensorFlow", shape, dtype, handle);
        this.live = live;
        live.incrementAndGet();
    }

    /** Takes ownership of {@code handle}, reading its shape and type from TensorFlow. */
    static TfTensor own(TFE_TensorHandle handle, AtomicLong live) {
        int rank = TFE_TensorHandleNumDims(handle, TfStatus.get());
        TfStatus.check("TFE_TensorHandleNumDims");
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = Math.toIntExact(TFE_TensorHandleDim(handle, i, TfStatus.get()));
        }
        TfStatus.check("TFE_TensorHandleDim");
        return new TfTensor(handle, Shape.of(dims), TfTypes.dtype(TFE_TensorHandleDataType(handle)), live);
    }

    TFE_TensorHandle handle() {
        return value();
    }

    @Override
    protected void release(TFE_TensorHandle handle) {
        TFE_DeleteTensorHandle(handle);
        live.decrementAndGet();
    }
}
