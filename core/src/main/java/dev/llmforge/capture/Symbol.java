package dev.llmforge.capture;

import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CapturedValue;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;

/**
 * The handle core hands out for a value computed inside a captured step. Until its segment runs it
 * has only a type; afterwards it forwards to the backend handle holding the value (and closing it
 * closes that handle).
 */
final class Symbol implements CapturedValue {
    private final int id;
    private final ValueType type;
    /** The host bytes of a {@link OpKind#FROM_BUFFER} value, readable before the segment runs; else null. */
    private final ByteBuffer hostData;
    private Segment segment;
    /** A handle with the same row-major bytes (the input of a reshape), read instead of running the segment. */
    private NativeTensor sameBytes;
    private NativeTensor concrete;
    private String failure;
    private boolean closed;

    Symbol(Segment segment, int id, ValueType type, ByteBuffer hostData) {
        this.segment = segment;
        this.id = id;
        this.type = type;
        this.hostData = hostData;
    }

    int id() {
        return id;
    }

    /** The segment recording this value, or null once it has run. */
    Segment segment() {
        return segment;
    }

    ByteBuffer hostData() {
        return hostData;
    }

    NativeTensor sameBytes() {
        return sameBytes;
    }

    /** Records that this value has the bytes of {@code source} (valid until the segment runs). */
    void sameBytesAs(NativeTensor source) {
        sameBytes = source;
    }

    boolean isOpen() {
        return !closed;
    }

    boolean isResolved() {
        return concrete != null;
    }

    /** Called once the segment ran: from now on this symbol stands for {@code value}. */
    void resolve(NativeTensor value) {
        concrete = value;
        segment = null;
        sameBytes = null;
    }

    /** Called when the segment could not run: any later use reports why. */
    void fail(String reason) {
        failure = reason;
        segment = null;
        sameBytes = null;
    }

    @Override
    public NativeTensor concrete() {
        if (closed) {
            throw new IllegalStateException("captured tensor " + type + " used after close");
        }
        if (concrete == null) {
            throw new IllegalStateException(failure != null
                    ? "tensor " + type + " comes from a captured step that failed: " + failure
                    : "tensor " + type + " is computed inside a captured step that has not run yet; use it inside the step or after run() returns");
        }
        return concrete;
    }

    @Override
    public Shape shape() {
        return type.shape();
    }

    @Override
    public DType dtype() {
        return type.dtype();
    }

    @Override
    public Device device() {
        return type.device();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (concrete != null) {
            concrete.close();
        }
    }

    @Override
    public String toString() {
        return "%" + id + " " + type + (concrete != null ? " (resolved)" : "");
    }
}
