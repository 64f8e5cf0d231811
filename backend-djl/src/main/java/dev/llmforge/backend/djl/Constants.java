package dev.llmforge.backend.djl;

import ai.djl.pytorch.engine.PtNDArray;
import dev.llmforge.tensor.DType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rank-0 arrays of the fixed numbers the kernels use (1, 0.5, GELU's coefficients...), shared
 * read-only, so a kernel does not allocate and free a scalar per use. Only compile-time constants
 * belong here: values that vary by call (eps, scale, learning rate) are allocated per call. The
 * floating-point ones are made when the backend starts, so {@link DjlBackend#liveTensorCount()}
 * (which counts them) does not move when a kernel first uses one; the backend frees them on close.
 */
final class Constants {
    private record Key(double value, DType dtype) {
    }

    private final DjlKernels kernels;
    private final Map<Key, PtNDArray> arrays = new ConcurrentHashMap<>();

    Constants(DjlKernels kernels) {
        this.kernels = kernels;
    }

    /** Makes {@code values} for each of {@code dtypes} now. */
    void preload(double[] values, DType... dtypes) {
        for (DType dtype : dtypes) {
            for (double v : values) {
                of(v, dtype);
            }
        }
    }

    /** The shared rank-0 array of {@code value}; never close it. */
    PtNDArray of(double value, DType dtype) {
        return arrays.computeIfAbsent(new Key(value, dtype), k -> kernels.scalar(k.value(), k.dtype()));
    }
}
