package dev.llmforge.capture;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.capture.CaptureSupport;
import java.util.Optional;

/**
 * Turns a {@link StepFunction} into a {@link CompiledStep}: on a backend with
 * {@link Backend#capture() capture support} each run records the step's kernel calls and runs them
 * as one compiled program (compiled once per distinct program, e.g. once per input shape); on any
 * other backend the step runs eagerly. Either way the results are those of running the step
 * eagerly. {@code -Dllmforge.capture=false} makes every step eager (for debugging).
 */
public final class StepCompiler {
    /** System property that disables capture when set to {@code false}. */
    public static final String PROPERTY = "llmforge.capture";
    /** Compiled programs kept per step before the least recently used is released. */
    public static final int CACHE_CAPACITY = 8;

    private StepCompiler() {
    }

    /** Captures the step on {@code backend} if it can, else runs it eagerly. */
    public static CompiledStep compile(Backend backend, StepFunction step) {
        Optional<CaptureSupport> support = Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) ? backend.capture() : Optional.empty();
        return new CompiledStep(backend, step, support.map(s -> new ProgramCache(s, CACHE_CAPACITY)).orElse(null),
                support.orElse(null));
    }

    /** The same step always run eagerly (for comparisons). */
    public static CompiledStep eager(Backend backend, StepFunction step) {
        return new CompiledStep(backend, step, null, null);
    }
}
