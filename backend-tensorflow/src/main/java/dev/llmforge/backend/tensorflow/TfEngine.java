package dev.llmforge.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TFE_ContextOptionsSetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteContext;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteContextOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_NewContext;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_NewContextOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_NewOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_NewTensorHandle;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpReset;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleCopySharingTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_TensorHandleResolve;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_AllocateTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorByteSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TFE_Context;
import org.tensorflow.internal.c_api.TFE_ContextOptions;
import org.tensorflow.internal.c_api.TFE_Op;
import org.tensorflow.internal.c_api.TFE_TensorHandle;
import org.tensorflow.internal.c_api.TF_Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * The TensorFlow runtime of one backend: an eager context configured with the thread counts, the
 * per-thread op object reused for every eager op, and conversions between host bytes, eager
 * handles and {@code TF_Tensor}s. Everything here is released explicitly, never by the GC.
 */
final class TfEngine implements AutoCloseable {
    final AtomicLong live = new AtomicLong();
    private final TFE_Context context;
    private final byte[] config;
    private final Set<EagerThread> threads = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<EagerThread> thread = ThreadLocal.withInitial(this::newThread);

    private TfEngine(TFE_Context context, byte[] config) {
        this.context = context;
        this.config = config;
    }

    /** Starts an eager context with {@code intraOpThreads} compute threads and one inter-op thread. */
    static TfEngine start(int intraOpThreads) {
        // Grappler's remapper rewrites our layer-norm pattern into oneDNN's fused layer norm, which
        // gives different numbers (up to 2e-3 off in TF 2.18 on this pattern): it stays off.
        RewriterConfig rewrites = RewriterConfig.newBuilder().setRemapping(RewriterConfig.Toggle.OFF).build();
        byte[] config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(1)
                .setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(rewrites))
                .build().toByteArray();
        TFE_ContextOptions options = TFE_NewContextOptions();
        try (BytePointer bytes = new BytePointer(config)) {
            TFE_ContextOptionsSetConfig(options, bytes, config.length, TfStatus.get());
            TfStatus.check("TFE_ContextOptionsSetConfig");
            TFE_Context context = TFE_NewContext(options, TfStatus.get());
            TfStatus.check("TFE_NewContext");
            return new TfEngine(context, config);
        } finally {
            TFE_DeleteContextOptions(options);
        }
    }

    /** The serialized ConfigProto (threads) for graph sessions. */
    byte[] config() {
        return config.clone();
    }

    EagerThread thread() {
        return thread.get();
    }

    private EagerThread newThread() {
        EagerThread t = new EagerThread();
        threads.add(t);
        return t;
    }

    /** Wraps a handle TensorFlow gave us (we now own it). */
    TfTensor own(TFE_TensorHandle handle) {
        return TfTensor.own(handle, live);
    }

    /** An eager tensor holding the little-endian bytes of {@code data} (position to limit). */
    TfTensor fromBytes(ByteBuffer data, Shape shape, DType dtype) {
        TF_Tensor t = allocate(shape, dtype);
        try {
            long size = TF_TensorByteSize(t);
            if (size > 0) {
                bytes(t, size).put(data.duplicate());
            }
            return adopt(t);
        } finally {
            TF_DeleteTensor(t);
        }
    }

    /** A {@code TF_Tensor} of {@code shape} and {@code dtype} with uninitialised contents; the caller deletes it. */
    static TF_Tensor allocate(Shape shape, DType dtype) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        TF_Tensor t = TF_AllocateTensor(TfTypes.code(dtype), dims, dims.length, shape.numel() * dtype.byteSize());
        if (t == null || t.isNull()) {
            throw new OutOfMemoryError("TensorFlow could not allocate a tensor of shape " + shape + " " + dtype);
        }
        return t;
    }

    /** The contents of {@code t} as a writable little-endian view (valid while t lives). */
    static ByteBuffer bytes(TF_Tensor t, long size) {
        Pointer data = TF_TensorData(t);
        return new BytePointer(data).capacity(size).limit(size).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An eager handle sharing {@code t}'s buffer; {@code t} stays the caller's to delete. */
    TfTensor adopt(TF_Tensor t) {
        TFE_TensorHandle h = TFE_NewTensorHandle(t, TfStatus.get());
        TfStatus.check("TFE_NewTensorHandle");
        return own(h);
    }

    /** The elements of {@code x}, little-endian, in a new heap buffer. */
    ByteBuffer toBytes(TfTensor x) {
        TF_Tensor t = resolve(x);
        try {
            long size = TF_TensorByteSize(t);
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
            if (size > 0) {
                out.put(bytes(t, size));
            }
            return out.flip();
        } finally {
            TF_DeleteTensor(t);
        }
    }

    /** A {@code TF_Tensor} sharing {@code x}'s buffer (on the CPU); the caller deletes it. */
    TF_Tensor resolve(TfTensor x) {
        TF_Tensor t = TFE_TensorHandleResolve(x.handle(), TfStatus.get());
        TfStatus.check("TFE_TensorHandleResolve");
        return t;
    }

    /** A second handle to {@code x}'s storage. */
    TfTensor share(TfTensor x) {
        TFE_TensorHandle h = TFE_TensorHandleCopySharingTensor(x.handle(), TfStatus.get());
        TfStatus.check("TFE_TensorHandleCopySharingTensor");
        return own(h);
    }

    @Override
    public void close() {
        for (EagerThread t : threads) {
            t.close();
        }
        threads.clear();
        TFE_DeleteContext(context);
    }

    /** What one thread reuses for every eager op: the op object and the output array. */
    final class EagerThread {
        final PointerPointer<TFE_TensorHandle> outputs = new PointerPointer<>(8);
        final IntPointer outputCount = new IntPointer(1);
        private PointerPointer<TFE_TensorHandle> list = new PointerPointer<>(8);
        private TFE_Op op;

        /** The reusable op object, reset to {@code type}. */
        TFE_Op op(String type) {
            if (op == null) {
                op = TFE_NewOp(context, type, TfStatus.get());
            } else {
                TFE_OpReset(op, type, (String) null, TfStatus.get());
            }
            TfStatus.check(type);
            return op;
        }

        /** A pointer array for an input list of {@code n} handles. */
        PointerPointer<TFE_TensorHandle> list(int n) {
            if (list.capacity() < n) {
                list.close();
                list = new PointerPointer<>(n);
            }
            return list;
        }

        void close() {
            if (op != null) {
                TFE_DeleteOp(op);
                op = null;
            }
            outputs.close();
            outputCount.close();
            list.close();
        }
    }
}
