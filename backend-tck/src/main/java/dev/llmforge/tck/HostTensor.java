package dev.llmforge.tck;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.Arrays;

/**
 * Tensor data held on the host, so that the backend under test and the reference receive exactly
 * the same elements. Values are stored as doubles already rounded to {@code dtype}.
 */
record HostTensor(Shape shape, DType dtype, double[] values) {

    HostTensor {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.numel() + " values, got " + values.length);
        }
        values = values.clone();
        for (int i = 0; i < values.length; i++) {
            values[i] = round(dtype, values[i]);
        }
    }

    static HostTensor of(DType dtype, int[] dims, double... values) {
        return new HostTensor(Shape.of(dims), dtype, values);
    }

    /** A rank-0 tensor. */
    static HostTensor scalar(DType dtype, double value) {
        return new HostTensor(Shape.scalar(), dtype, new double[] {value});
    }

    /** The value {@code dtype} stores for {@code v} (floats round to nearest, integers truncate). */
    static double round(DType dtype, double v) {
        return switch (dtype) {
            case F32 -> (float) v;
            case I32 -> (int) v;
            case I64 -> (double) (long) v;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** A new tensor on {@code backend}'s CPU holding these values; it joins the current scope. */
    Tensor on(Backend backend) {
        return Tensor.on(backend).of(values, shape, dtype);
    }

    /** The same values converted to {@code other}. */
    HostTensor as(DType other) {
        return new HostTensor(shape, other, values);
    }

    /** A copy with element {@code i} replaced. */
    HostTensor with(int i, double value) {
        double[] v = values.clone();
        v[i] = value;
        return new HostTensor(shape, dtype, v);
    }

    /** "[2, 3] F32" */
    String describe() {
        return shape + " " + dtype;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && h.shape.equals(shape) && h.dtype == dtype && Arrays.equals(h.values, values);
    }

    @Override
    public int hashCode() {
        return shape.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return describe();
    }
}
