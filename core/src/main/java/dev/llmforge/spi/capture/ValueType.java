package dev.llmforge.spi.capture;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;

/** Shape, dtype and device of one value of a {@link Program}. */
public record ValueType(Shape shape, DType dtype, Device device) {
    @Override
    public String toString() {
        return shape + " " + dtype;
    }
}
