package dev.llmforge.tck;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

/**
 * Base of every conformance contract. A backend's test suite subclasses each contract in one line:
 *
 * <pre>{@code
 * class DjlKernelContractTest extends KernelContract {
 *     @Override protected Backend backend() { return Backends.get("djl"); }
 * }
 * }</pre>
 *
 * <p>Every test of a contract runs under {@link CapabilityPolicy}: an
 * {@link UnsupportedOperationException} that reaches a test fails it, and a test is skipped only
 * through {@link #requireCapability} for a {@link Capability} the backend does not declare.
 */
@ExtendWith(CapabilityPolicy.class)
public abstract class BackendContract {
    /** Name of the oracle every backend is compared with. */
    protected static final String REFERENCE = "reference";

    /** The backend under test; called once per test, so return a shared instance. */
    protected abstract Backend backend();

    /**
     * True to run the backend's side of the kernel and fused-op comparisons as captured steps
     * ({@link dev.llmforge.capture.StepCompiler}): one compiled program per case instead of eager
     * kernel calls. A backend with {@link Backend#capture() capture support} subclasses those
     * contracts a second time with this on.
     */
    protected boolean captured() {
        return false;
    }

    /** The plain-Java reference backend, the oracle of the comparisons. */
    protected final Backend reference() {
        return Backends.get(REFERENCE);
    }

    /** Factories for tensors on the backend under test (CPU). */
    protected final TensorFactory tensors() {
        return Tensor.on(backend());
    }

    /** Skips the calling test unless the backend declares {@code capability}; the only way a contract skips. */
    protected final void requireCapability(Capability capability) {
        if (!backend().supports(capability)) {
            throw new MissingCapability(backend().name(), capability);
        }
    }

    /**
     * Runs {@code body} twice and checks that the second run leaves {@link Backend#liveTensorCount()}
     * where it found it (the first run may fill caches a backend keeps for its lifetime).
     */
    protected final void assertLeavesNothingAlive(String what, Runnable body) {
        body.run();
        long before = backend().liveTensorCount();
        body.run();
        long after = backend().liveTensorCount();
        if (after != before) {
            throw new AssertionFailedError(what + ": live native tensors on " + backend().name() + " went from "
                    + before + " to " + after + " (a leak, or a handle closed twice)", before, after);
        }
    }

    /** Skips the calling test unless the backend can hold {@code dtype} (F64, F16 and BF16 are capabilities). */
    protected final void requireDtype(DType dtype) {
        switch (dtype) {
            case F64 -> requireCapability(Capability.F64);
            case F16 -> requireCapability(Capability.F16);
            case BF16 -> requireCapability(Capability.BF16);
            default -> {
                // F32, I32, I64 and BOOL are required of every backend
            }
        }
    }
}
