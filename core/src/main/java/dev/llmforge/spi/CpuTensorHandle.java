package dev.llmforge.spi;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.util.Objects;

/**
 * A CPU {@link NativeTensor} that holds one engine object (an array, a handle, a buffer) and gives
 * it back exactly once. It records the shape and dtype, fails with a message naming the engine when
 * the object is asked for after close, and calls {@link #release} on the first {@link #close()} only.
 *
 * @param <H> the engine's object
 */
public abstract class CpuTensorHandle<H> implements NativeTensor {
    private final String engine;
    private final Shape shape;
    private final DType dtype;
    private H value;

    /** {@code engine} names the backend in the used-after-close message, e.g. {@code "nd4j"}. */
    protected CpuTensorHandle(String engine, Shape shape, DType dtype, H value) {
        this.engine = engine;
        this.shape = shape;
        this.dtype = dtype;
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The engine's object; fails once this tensor is closed. */
    protected final H value() {
        H v = value;
        if (v == null) {
            throw new IllegalStateException(engine + " tensor " + shape + " " + dtype + " used after close");
        }
        return v;
    }

    protected final boolean isClosed() {
        return value == null;
    }

    /** Frees the engine's object or hands it back to its owner; called once, by the first {@link #close()}. */
    protected abstract void release(H value);

    @Override
    public final Shape shape() {
        return shape;
    }

    @Override
    public final DType dtype() {
        return dtype;
    }

    @Override
    public final Device device() {
        return Device.cpu();
    }

    @Override
    public final void close() {
        H v = value;
        if (v != null) {
            value = null;
            release(v);
        }
    }

    /** For example {@code NdTensor([2, 3] F32, closed)}. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + shape + " " + dtype + (isClosed() ? ", closed" : "") + ")";
    }
}
