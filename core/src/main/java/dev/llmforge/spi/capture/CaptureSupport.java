package dev.llmforge.spi.capture;

import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import java.util.Set;

/**
 * What a backend provides to run captured steps as compiled programs (core's
 * {@code dev.llmforge.capture.StepCompiler} records them). Returned by {@link dev.llmforge.spi.Backend#capture()}.
 *
 * <p>While a step is captured, core records the kernel calls instead of running them and hands
 * out symbolic handles. After the step, the handles still open receive the values the compiled
 * program computed; they keep forwarding to those handles, so a capturing backend's kernels must
 * accept them: call {@link #unwrap} on every handle they receive. A native fused backward may be
 * given a forward {@code Result} without saved handles (when the forward was captured and the
 * backward runs eagerly): it then recomputes what it needs from the inputs.
 */
public interface CaptureSupport {
    /**
     * A new handle sharing {@code handle}'s storage, which stays valid after the original is closed
     * (core closes it after the run that fed it). Counted in {@code liveTensorCount} until closed.
     */
    NativeTensor retain(NativeTensor handle);

    /** Compiles a recorded program; called once per distinct program. */
    CompiledProgram compile(Program program);

    /**
     * The fused pairs a compiled program runs as single ops (both directions); while capturing, the
     * other pairs are recorded as the primitives they are made of. Usually the backend's
     * {@link dev.llmforge.spi.Backend#nativeFusedOps()}.
     */
    Set<FusedOp> fusedOps();

    /** The backend's own handle behind {@code handle} (itself unless it is a {@link CapturedValue}). */
    static NativeTensor unwrap(NativeTensor handle) {
        return handle instanceof CapturedValue c ? c.concrete() : handle;
    }
}
