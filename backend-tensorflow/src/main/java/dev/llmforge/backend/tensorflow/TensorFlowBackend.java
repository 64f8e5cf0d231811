package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.tensor.DType;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * TensorFlow Java (TF 2.18 through the C API of {@code tensorflow-core-native}) on the CPU. Eager
 * kernels execute one TensorFlow op each (or a few, freed at once); steps compiled with
 * {@link dev.llmforge.capture.StepCompiler} run as TensorFlow graphs. Every eager handle is
 * deleted when core closes it.
 */
public final class TensorFlowBackend implements Backend {
    public static final String NAME = "tensorflow";

    private final TfEngine engine;
    private final TfKernels kernels;
    private final TfFusedKernels fused;
    private final TfCompiler compiler;
    private final int threads;

    private TensorFlowBackend(TfEngine engine, int threads) {
        this.engine = engine;
        this.threads = threads;
        this.kernels = new TfKernels(engine);
        this.fused = new TfFusedKernels(kernels, engine);
        this.compiler = new TfCompiler(engine);
    }

    /** Starts TensorFlow with {@code threads} intra-op threads and one inter-op thread. */
    static TensorFlowBackend start(int threads) {
        return new TensorFlowBackend(TfEngine.start(threads), threads);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public FusedKernels fused() {
        return fused;
    }

    @Override
    public Set<FusedOp> nativeFusedOps() {
        return TfFusedKernels.NATIVE;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.F64, Capability.ZERO_SIZE, Capability.F16, Capability.BF16);
    }

    @Override
    public Set<DType> dtypes() {
        return EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I32, DType.I64, DType.BOOL);
    }

    @Override
    public long liveTensorCount() {
        return engine.live.get();
    }

    @Override
    public Optional<CaptureSupport> capture() {
        return Optional.of(compiler);
    }

    /** TensorFlow's intra-op thread count. */
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "TensorFlowBackend(" + threads + " threads)";
    }
}
