package dev.llmforge.backend.djl;

import dev.llmforge.spi.EngineThreads;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The JVM-wide settings DJL reads when its engine loads. They are applied once, before any DJL
 * class initialises, and never override what the user set:
 *
 * <ul>
 *   <li>{@code OPT_OUT_TRACKING=true} (system property) unless the user set the property or the
 *       environment variable: otherwise DJL contacts the cloud metadata address when it starts;</li>
 *   <li>{@code ai.djl.offline=true} unless the user set it or {@code DJL_OFFLINE}: DJL must never
 *       download natives, they come from {@code pytorch-native-cpu} on the class path;</li>
 *   <li>PyTorch intra-op threads: {@code llmforge.threads} if set, else
 *       {@code ai.djl.pytorch.num_threads} if set, else the free processors ({@link EngineThreads}:
 *       PyTorch's OpenMP threads spin while they wait, so a thread on a core another process uses
 *       slows every op down, by orders of magnitude for a small matmul (the module README has the
 *       figures);</li>
 *   <li>PyTorch inter-op threads: {@code ai.djl.pytorch.num_interop_threads} if set, else 1;</li>
 *   <li>with slf4j-simple as the application's logging, DJL's start-up notes (platform, graph
 *       executor, thread counts: four INFO lines) only from WARN up, and its CUDA probe, which warns
 *       twice on a machine without a usable GPU, only at ERROR
 *       ({@code org.slf4j.simpleLogger.log.ai.djl} and {@code ...ai.djl.util.cuda});</li>
 *   <li>{@code THP_MEM_ALLOC_ENABLE=1} in the process environment (Linux with glibc) unless the user set
 *       it: PyTorch then asks for transparent huge pages for tensors of 2 MB or more. Without it, every
 *       tensor above glibc's mmap threshold (at most 32 MB) is mapped fresh and faulted in 4 KB at a
 *       time at each allocation, which at GPT-2's size is most of a training step's page faults
 *       (benchmarks/README.md has the figures). Set with glibc's {@code setenv} before PyTorch
 *       loads, since PyTorch reads it once, at its first large allocation.</li>
 * </ul>
 */
final class DjlSettings {
    static final String OPT_OUT_TRACKING = "OPT_OUT_TRACKING";
    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String OFFLINE_ENVIRONMENT = "DJL_OFFLINE";
    static final String DJL_THREADS = "ai.djl.pytorch.num_threads";
    static final String DJL_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    static final String SIMPLE_LOGGER_DJL = "org.slf4j.simpleLogger.log.ai.djl";
    static final String HUGE_PAGES_ENVIRONMENT = "THP_MEM_ALLOC_ENABLE";

    private DjlSettings() {
    }

    /** Sets the properties above that the user left unset; returns the intra-op thread count to use. */
    static synchronized int apply() {
        return apply(System::getenv, EngineThreads::freeProcessors);
    }

    /** Like {@link #apply()} with the environment and the free processor count given (counted only if no thread property is set). */
    static synchronized int apply(Function<String, String> environment, IntSupplier freeProcessors) {
        if (System.getProperty(OPT_OUT_TRACKING) == null && environment.apply(OPT_OUT_TRACKING) == null) {
            System.setProperty(OPT_OUT_TRACKING, "true");
        }
        if (System.getProperty(OFFLINE_PROPERTY) == null && environment.apply(OFFLINE_ENVIRONMENT) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        int threads = intraOpThreads(freeProcessors);
        System.setProperty(DJL_THREADS, Integer.toString(threads));
        if (System.getProperty(DJL_INTEROP_THREADS) == null) {
            System.setProperty(DJL_INTEROP_THREADS, "1");
        }
        setIfAbsent(SIMPLE_LOGGER_DJL, "warn");
        setIfAbsent(SIMPLE_LOGGER_DJL + ".util.cuda", "error");
        enableHugePages(environment);
        return threads;
    }

    /** Sets {@code THP_MEM_ALLOC_ENABLE=1} in the C environment if {@code environment} has no value for it; true if set. */
    static boolean enableHugePages(Function<String, String> environment) {
        GlibC glibc = GlibC.load();
        if (glibc == null || environment.apply(HUGE_PAGES_ENVIRONMENT) != null) {
            return false;
        }
        return glibc.setenv(HUGE_PAGES_ENVIRONMENT, "1", 0) == 0;
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** {@code llmforge.threads}, else DJL's own property, else the free processors. */
    private static int intraOpThreads(IntSupplier freeProcessors) {
        for (String property : new String[] {EngineThreads.PROPERTY, DJL_THREADS}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                return (int) EngineThreads.positiveProperty(property, 1);
            }
        }
        return Math.max(1, freeProcessors.getAsInt()); // measured only when no thread count is given
    }
}
