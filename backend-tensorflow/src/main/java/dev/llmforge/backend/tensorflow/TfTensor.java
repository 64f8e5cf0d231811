package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteTensorHandle;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleDataType;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleDim;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleNumDims;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.internal.c_api.TFE_TensorHandle;

/** An eager TensorFlow tensor: one {@code TFE_TensorHandle}, deleted when closed. */
final class TfTensor implements NativeTensor, TfValue {
    private final Shape shape;
    private final DType dtype;
    private final AtomicLong live;
    private TFE_TensorHandle handle;

    private TfTensor(TFE_TensorHandle handle, Shape shape, DType dtype, AtomicLong live) {
        this.handle = handle;
        this.shape = shape;
        this.dtype = dtype;
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
        if (handle == null) {
            throw new IllegalStateException("TensorFlow tensor " + shape + " " + dtype + " used after close");
        }
        return handle;
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
        if (handle != null) {
            TFE_DeleteTensorHandle(handle);
            handle = null;
            live.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "TfTensor(" + shape + " " + dtype + (handle == null ? ", closed" : "") + ")";
    }
}
