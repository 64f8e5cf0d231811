package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Doubles into and out of a backend's tensors (F32, F64, I64), for the kernel tests that call the SPI directly. */
final class HostValues {
    private HostValues() {
    }

    static NativeTensor upload(Kernels k, double[] values, Shape shape, DType dtype) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : values) {
            switch (dtype) {
                case F64 -> buffer.putDouble(x);
                case I64 -> buffer.putLong((long) x);
                case F32 -> buffer.putFloat((float) x);
                default -> throw new IllegalArgumentException("not a test dtype: " + dtype);
            }
        }
        return k.fromBuffer(buffer.flip(), shape, dtype, Device.cpu());
    }

    static double[] download(Kernels k, NativeTensor t) {
        ByteBuffer buffer = k.toBuffer(t);
        double[] r = new double[t.shape().size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = t.dtype() == DType.F64 ? buffer.getDouble(8 * i) : buffer.getFloat(4 * i);
        }
        return r;
    }
}
