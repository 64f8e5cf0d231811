package dev.llmforge.spi;

import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded compute engine. Implement {@link Kernels}; override {@link #fused()} to provide native
 * versions of the fused pairs listed in {@link #nativeFusedOps()}. Must be thread-safe for use
 * from several threads on distinct tensors.
 */
public interface Backend extends AutoCloseable {
    String name();

    Kernels kernels();

    /**
     * Fused forward/backward pairs. The default builds all of them from {@link #kernels()}; a backend
     * returns a subclass of {@link FusedKernels} overriding the pairs its engine has natively.
     */
    default FusedKernels fused() {
        return new FusedKernels(kernels());
    }

    /** The fused pairs this backend implements natively (both directions). */
    default Set<FusedOp> nativeFusedOps() {
        return Set.of();
    }

    /** Optional abilities this backend has; the conformance kit skips tests only for missing ones. */
    Set<Capability> capabilities();

    default boolean supports(Capability capability) {
        return capabilities().contains(capability);
    }

    /** Element types usable in every primitive. */
    default Set<DType> dtypes() {
        return supports(Capability.F64)
                ? Set.of(DType.F32, DType.F64, DType.I32, DType.I64, DType.BOOL)
                : Set.of(DType.F32, DType.I32, DType.I64, DType.BOOL);
    }

    /** Bytes one element of {@code dtype} takes in this backend's tensor memory (for memory estimates before allocating). */
    default long bytesPerElement(DType dtype) {
        return dtype.byteSize();
    }

    /** Whether tensors live on the Java heap (bounded by {@code -Xmx}) rather than in native memory (bounded by the machine). */
    default boolean tensorsOnJavaHeap() {
        return false;
    }

    /** Devices this backend can allocate on; the CPU first. */
    default List<Device> devices() {
        return List.of(Device.cpu());
    }

    /**
     * Native tensors allocated by this backend and not yet closed, including any temporaries the
     * kernels made themselves. The conformance kit checks this does not grow.
     */
    long liveTensorCount();

    /**
     * Support for running captured steps as compiled programs (core's {@code dev.llmforge.capture.StepCompiler}),
     * or empty if this backend only runs eagerly.
     */
    default Optional<CaptureSupport> capture() {
        return Optional.empty();
    }

    /**
     * A hint, between training steps, that memory the engine has freed may go back to the operating
     * system. The default does nothing; an engine whose allocator keeps freed memory can return it
     * here. Cheap to call after every step: the backend decides how often to act.
     */
    default void releaseFreedMemory() {
    }

    /** Releases engine-wide resources. Tensors must not be used afterwards. */
    @Override
    default void close() {
    }
}
