package dev.llmforge.backend.djl;

import ai.djl.Device;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies between Java buffers and PyTorch tensors without leaking direct memory. PyTorch can only
 * wrap a direct buffer (it does not copy it), and a fresh direct buffer per call is freed only by
 * the garbage collector; so heap data goes through one reusable direct buffer per thread and is
 * cloned into tensor-owned memory, in chunks if it is larger than that buffer.
 */
final class HostTransfer {
    /** Bytes of the per-thread staging buffer; larger tensors are copied in chunks of this size. */
    static final int STAGING_BYTES = 1 << 20;

    private final PtNDManager manager;
    private final ThreadLocal<ByteBuffer> staging =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(STAGING_BYTES).order(ByteOrder.nativeOrder()));

    HostTransfer(PtNDManager manager) {
        this.manager = manager;
    }

    /** A tensor owning a copy of the bytes from {@code data}'s position to its limit. */
    DjlTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype) {
        int bytes = Math.toIntExact(shape.numel() * dtype.byteSize());
        if (bytes == 0) {
            PtNDArray empty = JniUtils.createEmptyNdArray(manager, DTypes.djl(shape), DTypes.djl(dtype), Device.cpu(), SparseFormat.DENSE);
            return DjlTensor.fresh(empty, shape, dtype);
        }
        ByteBuffer source = data.slice();
        if (source.isDirect()) {
            return DjlTensor.fresh(cloneOf(source, DTypes.longs(shape), dtype), shape, dtype);
        }
        if (bytes <= STAGING_BYTES) {
            ByteBuffer buffer = stage(source, 0, bytes);
            return DjlTensor.fresh(cloneOf(buffer, DTypes.longs(shape), dtype), shape, dtype);
        }
        return DjlTensor.fresh(chunkedCopy(source, shape, dtype), shape, dtype);
    }

    /** The elements of {@code x} in row-major order, little-endian, in a heap buffer. */
    ByteBuffer toBuffer(DjlTensor x) {
        // getByteBuffer(.., false) copies (contiguously) into a Java byte[]: no native memory stays behind
        return JniUtils.getByteBuffer(x.array(), false).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A tensor over the memory of {@code direct} (no copy): close it before the buffer is reused. */
    private PtNDArray wrap(ByteBuffer direct, long[] dims, DType dtype) {
        return JniUtils.createNdFromByteBuffer(manager, direct, new ai.djl.ndarray.types.Shape(dims), DTypes.djl(dtype),
                SparseFormat.DENSE, Device.cpu());
    }

    private PtNDArray cloneOf(ByteBuffer direct, long[] dims, DType dtype) {
        PtNDArray wrapped = wrap(direct, dims, dtype);
        try {
            return JniUtils.clone(wrapped);
        } finally {
            wrapped.close();
        }
    }

    /** Allocates the tensor flat and fills it chunk by chunk through the staging buffer. */
    private PtNDArray chunkedCopy(ByteBuffer source, Shape shape, DType dtype) {
        int elementBytes = dtype.byteSize();
        long numel = shape.numel();
        PtNDArray flat = JniUtils.createEmptyNdArray(manager, new ai.djl.ndarray.types.Shape(numel), DTypes.djl(dtype),
                Device.cpu(), SparseFormat.DENSE);
        try {
            int chunkElements = STAGING_BYTES / elementBytes;
            for (long start = 0; start < numel; start += chunkElements) {
                int count = (int) Math.min(chunkElements, numel - start);
                ByteBuffer buffer = stage(source, (int) (start * elementBytes), count * elementBytes);
                PtNDArray chunk = wrap(buffer, new long[] {count}, dtype);
                try {
                    JniUtils.indexSet(flat, chunk, new long[] {start}, new long[] {start + count}, new long[] {1});
                } finally {
                    chunk.close();
                }
            }
            return JniUtils.reshape(flat, DTypes.longs(shape));
        } finally {
            flat.close();
        }
    }

    private ByteBuffer stage(ByteBuffer source, int offset, int length) {
        ByteBuffer buffer = staging.get();
        buffer.clear();
        buffer.put(source.duplicate().position(offset).limit(offset + length));
        buffer.flip();
        return buffer;
    }
}
