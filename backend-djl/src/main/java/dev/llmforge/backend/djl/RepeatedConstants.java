package dev.llmforge.backend.djl;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Read-only arrays that kernels need again and again but that are not compile-time constants: the
 * scale and shift of a layer norm that has none (ones and zeros of its width), an attention's
 * scale, the causal mask of an attention's (Tq, Tk). Making one costs PyTorch calls and a free each
 * time (13 per generated token of a 4-layer GPT, 20 per training step for the masks alone); these
 * are made once and shared.
 *
 * <p>The pool is bounded ({@value #CAPACITY} arrays: beyond that, a kernel makes its own as before)
 * and lives in its own DJL manager, so it is not part of {@link DjlBackend#liveTensorCount()}, which
 * counts what kernels and callers hold; the backend frees it on close. Never modify or close an
 * array it returns.
 */
final class RepeatedConstants implements AutoCloseable {
    static final int CAPACITY = 64;
    private static final ai.djl.Device CPU = ai.djl.Device.cpu();

    private record Filled(Shape shape, double value, DType dtype) {
    }

    private record CausalMask(int tq, int tk) {
    }

    private final PtNDManager manager;
    private final Map<Object, PtNDArray> arrays = new ConcurrentHashMap<>();

    RepeatedConstants(PtNDManager manager) {
        this.manager = manager;
    }

    /** The shared array of {@code shape} filled with {@code value}, or null if the pool is full. */
    PtNDArray filled(Shape shape, double value, DType dtype) {
        return shared(new Filled(shape, value, dtype),
                () -> JniUtils.full(manager, DTypes.djl(shape), value, DTypes.djl(dtype), CPU, SparseFormat.DENSE));
    }

    /**
     * The shared (Tq, Tk) BOOL mask of the entries causal attention hides: true where key j lies
     * after query i (at position Tk - Tq + i). Null if the pool is full.
     */
    PtNDArray causalMask(int tq, int tk) {
        return shared(new CausalMask(tq, tk), () -> futureMask(manager, tq, tk));
    }

    /** A new causal mask in {@code manager}; the caller closes it. */
    static PtNDArray futureMask(PtNDManager manager, int tq, int tk) {
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray rows = tmp.t(JniUtils.arange(manager, tk - tq, tk, 1, DataType.INT64, CPU, SparseFormat.DENSE));
            PtNDArray column = tmp.t(JniUtils.reshape(rows, new long[] {tq, 1}));
            PtNDArray cols = tmp.t(JniUtils.arange(manager, 0, tk, 1, DataType.INT64, CPU, SparseFormat.DENSE));
            return JniUtils.gt(cols, column);
        }
    }

    private PtNDArray shared(Object key, Supplier<PtNDArray> make) {
        PtNDArray a = arrays.get(key);
        if (a != null || arrays.size() >= CAPACITY) {
            return a;
        }
        return arrays.computeIfAbsent(key, k -> make.get());
    }

    @Override
    public void close() {
        arrays.clear();
        manager.close();
    }
}
