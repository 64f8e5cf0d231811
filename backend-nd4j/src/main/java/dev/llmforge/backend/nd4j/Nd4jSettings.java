package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.EngineThreads;

/**
 * The backend's tunables, read from system properties when the backend starts. ND4J's settings
 * are JVM-wide, so the first ND4J backend created applies them.
 *
 * <ul>
 *   <li>{@code llmforge.threads}: OpenBLAS threads, i.e. for matrix products. Default: the free
 *       processors ({@link EngineThreads}), as every backend.</li>
 *   <li>{@value #OMP_THREADS_PROPERTY}: OpenMP threads for libnd4j's own loops (element-wise ops,
 *       reductions, softmax...). Default 1. libnd4j opens a parallel region for most ops, even
 *       small ones, and its OpenMP threads spin while they wait; whenever another thread wants the
 *       core (OpenBLAS's own pool, the JVM's compiler and collector, other processes) a second
 *       libgomp thread made the median training step here several times slower, and profiling a
 *       generation test under load found most CPU samples in libgomp's spin loop (module README,
 *       Settings). Raise it on a
 *       machine with cores to spare. {@code OMP_NUM_THREADS} cannot be changed once the JVM runs,
 *       so the backend sets ND4J's own limit instead.</li>
 *   <li>{@value #POOL_PROPERTY}: bytes of freed arrays kept for reuse (default 256 MiB, see
 *       {@link ArrayPool}).</li>
 *   <li>{@value #PARALLEL_PROPERTY}: with more than one OpenMP thread, the element count from which
 *       an element-wise op is split between threads (default 32768, the grain PyTorch uses;
 *       ND4J's own default is 1024).</li>
 * </ul>
 *
 * @param threads           OpenBLAS threads
 * @param ompThreads        libnd4j's OpenMP threads
 * @param poolBytes         the {@link ArrayPool}'s capacity
 * @param parallelThreshold the element count from which an element-wise op runs on several threads
 */
public record Nd4jSettings(int threads, int ompThreads, long poolBytes, int parallelThreshold) {
    static final String OMP_THREADS_PROPERTY = "llmforge.nd4j.ompThreads";
    static final String POOL_PROPERTY = "llmforge.nd4j.poolBytes";
    static final String PARALLEL_PROPERTY = "llmforge.nd4j.parallelThreshold";

    static Nd4jSettings fromSystemProperties() {
        return new Nd4jSettings(
                EngineThreads.intraOp(),
                (int) EngineThreads.positiveProperty(OMP_THREADS_PROPERTY, 1),
                EngineThreads.positiveProperty(POOL_PROPERTY, 256L << 20),
                (int) EngineThreads.positiveProperty(PARALLEL_PROPERTY, 32_768));
    }
}
