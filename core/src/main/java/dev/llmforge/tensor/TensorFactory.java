package dev.llmforge.tensor;

import dev.llmforge.spi.Backend;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IntSummaryStatistics;
import java.util.LongSummaryStatistics;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/** Creates tensors on one backend and device. {@link Tensor#on} returns one. */
public final class TensorFactory {
    private final Backend backend;
    private final Device device;

    TensorFactory(Backend backend, Device device) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.device = Objects.requireNonNull(device, "device");
    }

    static TensorFactory defaults() {
        return new TensorFactory(Backends.get(), Device.cpu());
    }

    public Backend backend() {
        return backend;
    }

    public Device device() {
        return device;
    }

    public Tensor of(float[] data, int... dims) {
        Shape shape = checked(data.length, dims);
        ByteBuffer b = allocate(data.length, DType.F32);
        b.asFloatBuffer().put(data);
        return fromBuffer(b, shape, DType.F32);
    }

    public Tensor of(double[] data, int... dims) {
        Shape shape = checked(data.length, dims);
        ByteBuffer b = allocate(data.length, DType.F64);
        b.asDoubleBuffer().put(data);
        return fromBuffer(b, shape, DType.F64);
    }

    /** An I32 tensor; it remembers the range of its values, so index checks on it need no device read. */
    public Tensor of(int[] data, int... dims) {
        Shape shape = checked(data.length, dims);
        ByteBuffer b = allocate(data.length, DType.I32);
        b.asIntBuffer().put(data);
        IntSummaryStatistics range = IntStream.of(data).summaryStatistics();
        return withRange(fromBuffer(b, shape, DType.I32), range.getMin(), range.getMax());
    }

    /** An I64 tensor; it remembers the range of its values, so index checks on it need no device read. */
    public Tensor of(long[] data, int... dims) {
        Shape shape = checked(data.length, dims);
        ByteBuffer b = allocate(data.length, DType.I64);
        b.asLongBuffer().put(data);
        LongSummaryStatistics range = LongStream.of(data).summaryStatistics();
        return withRange(fromBuffer(b, shape, DType.I64), range.getMin(), range.getMax());
    }

    /** Records the range unless there are no elements (then least > greatest). */
    private static Tensor withRange(Tensor t, long least, long greatest) {
        if (least <= greatest) {
            t.knowRange(least, greatest);
        }
        return t;
    }

    public Tensor of(boolean[] data, int... dims) {
        Shape shape = checked(data.length, dims);
        ByteBuffer b = allocate(data.length, DType.BOOL);
        for (boolean v : data) {
            b.put((byte) (v ? 1 : 0));
        }
        b.flip();
        return fromBuffer(b, shape, DType.BOOL);
    }

    /** Doubles converted to {@code dtype} (F32, F64, I32, I64 or BOOL). */
    public Tensor of(double[] data, Shape shape, DType dtype) {
        return fromBuffer(HostArrays.encode(data, shape, dtype), shape, dtype);
    }

    /** A tensor from little-endian bytes, e.g. straight from a safetensors file. */
    public Tensor fromBuffer(ByteBuffer data, Shape shape, DType dtype) {
        long expected = shape.numel() * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("fromBuffer: shape " + shape + " of " + dtype + " needs " + expected
                    + " bytes, the buffer has " + data.remaining());
        }
        ByteBuffer le = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        return Dispatch.create("fromBuffer", backend, shape, dtype, k -> k.fromBuffer(le, shape, dtype, device));
    }

    public Tensor scalar(double value, DType dtype) {
        return full(Shape.scalar(), value, dtype);
    }

    public Tensor zeros(Shape shape, DType dtype) {
        return full(shape, 0, dtype);
    }

    public Tensor ones(Shape shape, DType dtype) {
        return full(shape, 1, dtype);
    }

    public Tensor full(Shape shape, double value, DType dtype) {
        return Dispatch.create("full", backend, shape, dtype, k -> k.full(shape, value, dtype, device));
    }

    /** Uniform [0, 1) values; the same seed gives the same values on the same backend. */
    public Tensor rand(Shape shape, DType dtype, long seed) {
        requireFloating("rand", dtype);
        return Dispatch.create("randomUniform", backend, shape, dtype, k -> k.randomUniform(shape, dtype, device, seed));
    }

    /** Standard normal values; the same seed gives the same values on the same backend. */
    public Tensor randn(Shape shape, DType dtype, long seed) {
        requireFloating("randn", dtype);
        return Dispatch.create("randomNormal", backend, shape, dtype, k -> k.randomNormal(shape, dtype, device, seed));
    }

    /** 0, 1, ..., n-1 as I64. */
    public Tensor arange(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return of(v, n);
    }

    private static void requireFloating(String op, DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating-point dtype, got " + dtype);
        }
    }

    private static ByteBuffer allocate(int n, DType dtype) {
        return ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Shape checked(int length, int[] dims) {
        Shape shape = Shape.of(dims);
        if (shape.numel() != length) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.numel() + " elements but " + length + " were given");
        }
        return shape;
    }
}
