package dev.llmforge.internal.reference;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.Kernels;
import dev.llmforge.tensor.DType;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plain-Java backend: every primitive in double precision, fused ops from the primitive
 * defaults. Slow, exact enough to be the conformance kit's oracle, and dependency-free.
 */
public final class ReferenceBackend implements Backend {
    public static final String NAME = "reference";

    private final AtomicLong live = new AtomicLong();
    private final Kernels kernels = new ReferenceKernels(live);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.F64, Capability.ZERO_SIZE);
    }

    /** Every element is held as a double, whatever the dtype. */
    @Override
    public long bytesPerElement(DType dtype) {
        return Double.BYTES;
    }

    @Override
    public boolean tensorsOnJavaHeap() {
        return true;
    }

    @Override
    public long liveTensorCount() {
        return live.get();
    }
}
