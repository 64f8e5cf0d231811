package dev.llmforge.spi;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;

/**
 * A backend's own tensor handle. Core wraps each one in a {@link dev.llmforge.tensor.Tensor} and
 * closes it exactly once; kernels never close their inputs. Every handle a kernel returns must be
 * a new handle owned by the caller (never one of the inputs), except where a method says otherwise.
 */
public interface NativeTensor extends AutoCloseable {
    Shape shape();

    DType dtype();

    Device device();

    /** Frees the native memory. Called exactly once by core. */
    @Override
    void close();
}
