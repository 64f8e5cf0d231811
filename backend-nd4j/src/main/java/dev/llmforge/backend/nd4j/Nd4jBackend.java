package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.Kernels;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * ND4J 1.0.0-M2.1 on the CPU (libnd4j with OpenBLAS). Every primitive is a libnd4j op called
 * directly on preallocated outputs ({@link NativeCalls}); softmax, softmax cross-entropy, layer
 * norm, GELU, causal attention and the in-place AdamW step run as fused pairs on libnd4j's kernels
 * ({@link Nd4jFusedKernels}). Autograd stays core's: SameDiff is not used.
 *
 * <p>Memory: ND4J arrays live off the Java heap. Each tensor owns one array alone and gives it
 * back to an {@link ArrayPool} when core closes it; the pool keeps a bounded amount for reuse
 * and frees the rest at once, so nothing waits for the garbage collector. Each thread that uses
 * the backend gets one small native op context; {@link #close()} frees those and the pool.
 *
 * <p>Threads: see {@link Nd4jSettings}.
 */
public final class Nd4jBackend implements Backend {
    public static final String NAME = "nd4j";

    private final Nd4jSettings settings;
    private final AtomicLong live = new AtomicLong();
    private final ArrayPool pool;
    private final List<NativeCalls> allCalls = new ArrayList<>();
    private final ThreadLocal<NativeCalls> calls = ThreadLocal.withInitial(this::newCalls);
    /** Each thread's arrays for the F32 kernels written in Java (GELU, layer norm, AdamW, full sums). */
    private final ThreadLocal<HostFloats> host = ThreadLocal.withInitial(HostFloats::new);
    private final Nd4jKernels kernels;
    private final Nd4jFusedKernels fused;
    private volatile boolean closed;

    private Nd4jBackend(Nd4jSettings settings) {
        this.settings = settings;
        this.pool = new ArrayPool(settings.poolBytes());
        this.kernels = new Nd4jKernels(this);
        this.fused = new Nd4jFusedKernels(this, kernels);
    }

    /** Loads ND4J's natives and applies {@code settings} to it (ND4J's settings are JVM-wide). */
    static Nd4jBackend start(Nd4jSettings settings) {
        configure(settings);
        return new Nd4jBackend(settings);
    }

    /**
     * Loads ND4J (on first use) and applies the settings, on a thread of its own. ND4J's start-up
     * calls {@code omp_set_num_threads} with the machine's core count, and OpenMP keeps that
     * setting per calling thread: done on the caller's thread it would silently change the thread
     * count of every other OpenMP user there (measured: PyTorch's intra-op threads went from 1 to 2
     * when the ND4J backend was created after the DJL one, which made its steps up to ten times
     * slower on a busy machine). libnd4j's own loops take their thread count from its environment
     * settings, which are JVM-wide.
     */
    static void configure(Nd4jSettings settings) {
        quietStartUp();
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                // ND4J's default checks every op it executes itself for workspace misuse (the random ops here)
                Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkWorkspaces(false).build());
                Nd4j.getEnvironment().setMaxThreads(settings.ompThreads());
                Nd4j.getEnvironment().setMaxMasterThreads(settings.ompThreads());
                Nd4j.getEnvironment().setElementwiseThreshold(settings.parallelThreshold());
                Nd4j.factory().blas().setMaxThreads(settings.threads());
            } catch (UnsatisfiedLinkError e) {
                failure[0] = new IllegalStateException("ND4J failed to load its natives: " + e.getMessage() + ". This usually "
                        + "means org.bytedeco:javacpp and its native jar (classifier linux-x86_64) come in different versions; "
                        + "pin both to one version, e.g. by importing dev.llmforge:llmforge-bom", e);
            } catch (RuntimeException | LinkageError e) {
                failure[0] = new IllegalStateException("ND4J failed to start: " + e, e);
            }
        }, "llmforge-nd4j-start");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ND4J was starting", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /**
     * ND4J logs about fifteen INFO lines as it loads (backend, thread counts, BLAS vendor, build
     * information) into whatever SLF4J binding the application has. Its own switch
     * {@code org.nd4j.log.initialization} turns off all but one, which {@code CpuNDArrayFactory}
     * logs unconditionally; for slf4j-simple that logger is set to WARN. Both are system properties,
     * set only if the user has not set them, before ND4J's classes load.
     */
    private static void quietStartUp() {
        setIfAbsent("org.nd4j.log.initialization", "false");
        setIfAbsent("org.slf4j.simpleLogger.log.org.nd4j.linalg.cpu.nativecpu.CpuNDArrayFactory", "warn");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
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
        return Nd4jFusedKernels.NATIVE;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.F64, Capability.ZERO_SIZE);
    }

    @Override
    public long liveTensorCount() {
        return live.get();
    }

    /** The settings this backend applied. */
    public Nd4jSettings settings() {
        return settings;
    }

    /** Bytes of freed arrays kept for reuse. */
    public long pooledBytes() {
        return pool.pooledBytes();
    }

    /** Native array allocations so far (the pool served every other request). */
    public long nativeAllocations() {
        return pool.allocations();
    }

    /** Frees the pooled arrays and the op contexts. Tensors of this backend must not be used afterwards. */
    @Override
    public void close() {
        closed = true;
        fused.clearMasks();
        pool.clear();
        synchronized (allCalls) {
            for (NativeCalls c : allCalls) {
                c.close();
            }
            allCalls.clear();
        }
    }

    // ---- for the kernels ------------------------------------------------------------------------

    NativeCalls calls() {
        if (closed) {
            throw new IllegalStateException("the nd4j backend is closed");
        }
        return calls.get();
    }

    /** This thread's arrays for the F32 kernels written in Java. */
    HostFloats host() {
        return host.get();
    }

    private NativeCalls newCalls() {
        NativeCalls c = new NativeCalls();
        synchronized (allCalls) {
            allCalls.add(c);
        }
        return c;
    }

    /** A new tensor whose contents the caller fills. */
    NdTensor allocate(DType dtype, Shape shape) {
        return new NdTensor(this, dtype, shape, pool.take(dtype, shape));
    }

    /** Temporaries for one kernel, given back to the pool when it closes. */
    Scratch scratch() {
        return new Scratch(this);
    }

    /** A temporary array for use inside one kernel; give it back with {@link #recycle}. */
    INDArray scratch(DType dtype, Shape shape) {
        return pool.take(dtype, shape);
    }

    void recycle(DType dtype, Shape shape, INDArray array) {
        if (closed) {
            if (shape.numel() > 0) {
                array.close();
            }
        } else {
            pool.give(dtype, shape, array);
        }
    }

    void opened() {
        live.incrementAndGet();
    }

    void release(NdTensor tensor, INDArray array) {
        live.decrementAndGet();
        recycle(tensor.dtype(), tensor.shape(), array);
    }
}
