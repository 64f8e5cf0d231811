package dev.llmforge.io;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param begin first byte in the data section (after the header)
 * @param end   one past the last byte in the data section
 */
public record TensorInfo(String name, DType dtype, Shape shape, long begin, long end) {
    public long byteSize() {
        return end - begin;
    }
}
