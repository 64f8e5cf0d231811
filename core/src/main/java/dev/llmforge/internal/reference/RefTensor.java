package dev.llmforge.internal.reference;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reference tensor: row-major doubles, each already rounded to its dtype (F32 values are exact
 * floats, integers are whole numbers; I64 is exact up to 2^53). The array is never modified after
 * construction, so reshape may share it.
 */
final class RefTensor implements NativeTensor {
    private final Shape shape;
    private final DType dtype;
    private final double[] data;
    private final AtomicLong live;
    private boolean closed;

    RefTensor(Shape shape, DType dtype, double[] data, AtomicLong live) {
        this.shape = shape;
        this.dtype = dtype;
        this.data = data;
        this.live = live;
        live.incrementAndGet();
    }

    double[] data() {
        if (closed) {
            throw new IllegalStateException("reference tensor " + shape + " " + dtype + " used after close");
        }
        return data;
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
            live.decrementAndGet();
        }
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
