package dev.llmforge.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.capture.CaptureSupport;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * PyTorch 2.7 (CPU) through DJL. Every primitive is a PyTorch op; the fused pairs PyTorch has
 * natively (softmax, log-softmax cross-entropy, layer norm, GELU, the AdamW update) run as single
 * kernels, and causal attention as PyTorch's fused kernel over long contexts, else as one kernel
 * composed of PyTorch ops.
 *
 * <p>Threads: PyTorch uses {@code -Dllmforge.threads=N} intra-op threads, else the processors
 * other processes leave free, and one inter-op thread (see {@link DjlSettings}). The natives come
 * from the class path; DJL is kept offline and from calling home.
 *
 * <p>All arrays live in one DJL manager owned by this backend; each handle is closed by core (or
 * by the kernel that made it, for temporaries), which detaches it from the manager, so the manager
 * never holds closed arrays and {@link #liveTensorCount()} is exactly the number of open ones.
 */
public final class DjlBackend implements Backend {
    public static final String NAME = "djl";
    /** System property that turns on {@link #capture()}. */
    public static final String CAPTURE_PROPERTY = "llmforge.djl.capture";

    private final PtNDManager manager;
    private final DjlKernels kernels;
    private final FusedKernels fused;
    private final int threads;
    private final FreedMemoryRelease freedMemory = new FreedMemoryRelease();
    private final TorchScriptCompiler compiler;
    private final FlashAttention flashAttention;

    private DjlBackend(PtNDManager manager, PtNDManager constantsManager, int threads) {
        this.manager = manager;
        this.kernels = new DjlKernels(manager, constantsManager);
        this.flashAttention = new FlashAttention(kernels);
        this.fused = new DjlFusedKernels(kernels, flashAttention);
        this.compiler = new TorchScriptCompiler(kernels);
        this.threads = threads;
    }

    /** Loads PyTorch (call {@link DjlSettings#apply()} first) and sets its intra-op thread count. */
    static DjlBackend start(int threads) {
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("PyTorch (DJL) failed to start: " + why, e);
        }
        // DJL reads the thread count only when its engine first loads; set it again in case it was loaded earlier
        JniUtils.setNumThreads(threads);
        PtNDManager manager = (PtNDManager) engine.newBaseManager(ai.djl.Device.cpu());
        manager.setName("llmforge");
        PtNDManager constantsManager = (PtNDManager) engine.newBaseManager(ai.djl.Device.cpu());
        constantsManager.setName("llmforge-constants");
        return new DjlBackend(manager, constantsManager, threads);
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

    /** glibc's {@code malloc_trim} when the process has grown since the last one: see {@link ReleasePolicy}. */
    @Override
    public void releaseFreedMemory() {
        freedMemory.releaseIfDue();
    }

    @Override
    public Set<FusedOp> nativeFusedOps() {
        return DjlFusedKernels.NATIVE;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.F64, Capability.ZERO_SIZE);
    }

    /**
     * With {@code -Dllmforge.djl.capture=true} (read at each call), captured steps run as TorchScript
     * modules: one native call per step instead of one per op. Off by default: for the reference
     * pretraining step it was not reliably faster than eager and took more peak resident memory,
     * and a one-token generation step ran slower than eagerly (the module README, "Captured steps",
     * has the figures).
     */
    @Override
    public Optional<CaptureSupport> capture() {
        return Boolean.getBoolean(CAPTURE_PROPERTY) ? Optional.of(compiler) : Optional.empty();
    }

    /** PyTorch intra-op threads this backend set. */
    public int threads() {
        return threads;
    }

    @Override
    public long liveTensorCount() {
        return manager.getManagedArrays().size();
    }

    /** Closes every array still open. Tensors of this backend must not be used afterwards. */
    @Override
    public void close() {
        flashAttention.close();
        kernels.repeatedConstants().close();
        manager.close();
    }
}
