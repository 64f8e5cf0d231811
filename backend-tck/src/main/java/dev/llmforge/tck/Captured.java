package dev.llmforge.tck;

import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.capture.StepFunction;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import java.util.List;

/** Runs a contract's computation as a captured step, for backends tested with {@link BackendContract#captured()}. */
final class Captured {
    private Captured() {
    }

    /** {@code fn} applied to {@code inputs} as one captured step on {@code backend}; fails if the backend cannot capture. */
    static List<Tensor> apply(Backend backend, StepFunction fn, List<Tensor> inputs) {
        try (CompiledStep step = StepCompiler.compile(backend, fn)) {
            if (!step.isCaptured()) {
                throw new IllegalStateException("backend " + backend.name() + " has no capture support (or -Dllmforge.capture=false)");
            }
            return step.run(inputs);
        }
    }
}
