package dev.llmforge.internal.reference;

import dev.llmforge.spi.CpuTensorHandle;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reference tensor: row-major doubles, each already rounded to its dtype (F32 values are exact
 * floats, integers are whole numbers; I64 is exact up to 2^53). The array is never modified after
 * construction, so reshape may share it.
 */
final class RefTensor extends CpuTensorHandle<double[]> {
    private final AtomicLong live;

    RefTensor(Shape shape, DType dtype, double[] data, AtomicLong live) {
        super("reference", shape, dtype, data);
        this.live = live;
        live.incrementAndGet();
    }

    double[] data() {
        return value();
    }

    @Override
    protected void release(double[] data) {
        live.decrementAndGet();
    }

    /** Rounds a value to what {@code dtype} can hold. */
    static double round(DType dtype, double v) {
        return switch (dtype) {
            case F32 -> (float) v;
            case I32 -> (int) v;
            case I64 -> (double) (long) v;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }
}
