package dev.llmforge.capture;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;

/**
 * A step made by {@link StepCompiler}. Each {@link #run} calls the step function inside its own
 * {@link TensorScope}: tensors the step creates are closed when it returns, except the returned ones
 * (which join the caller's scope, or belong to the caller) and those the step takes out of scopes
 * itself (optimiser state, gradients). Not thread-safe: use one instance per thread.
 */
public final class CompiledStep implements AutoCloseable {
    private final Backend backend;
    private final StepFunction step;
    private final ProgramCache cache;
    private final CaptureSupport support;
    private long runs;
    private int lastSegments;
    private int lastOps;
    private long lastRunNanos;
    private boolean closed;

    CompiledStep(Backend backend, StepFunction step, ProgramCache cache, CaptureSupport support) {
        this.backend = backend;
        this.step = step;
        this.cache = cache;
        this.support = support;
    }

    /**
     * Counters of a step: how often it ran, and what capture did in the last run: segments run, ops
     * recorded, and the time spent compiling and running programs (the rest was recording).
     */
    public record Stats(long runs, long compilations, int cachedPrograms, int lastSegments, int lastOps, double lastRunMillis) {
    }

    /** True if runs are captured and compiled; false if the step runs eagerly. */
    public boolean isCaptured() {
        return cache != null;
    }

    public Stats stats() {
        return cache == null ? new Stats(runs, 0, 0, 0, 0, 0)
                : new Stats(runs, cache.compilations(), cache.size(), lastSegments, lastOps, lastRunNanos / 1e6);
    }

    public List<Tensor> run(Tensor... inputs) {
        return run(Arrays.asList(inputs));
    }

    /** Runs the step on {@code inputs} and returns what it returned. */
    public List<Tensor> run(List<Tensor> inputs) {
        if (closed) {
            throw new IllegalStateException("this compiled step is closed");
        }
        runs++;
        if (cache == null) {
            return callInScope(inputs);
        }
        Recorder recorder = new Recorder(backend, support, cache);
        List<Tensor> outputs;
        try (Dispatch.Restore redirected = Dispatch.capture(backend, recorder.kernels(), recorder.fused())) {
            try {
                outputs = callInScope(inputs);
            } catch (RuntimeException | Error e) {
                // run what was recorded, as an eager run would have done before failing
                try {
                    recorder.flush();
                } catch (RuntimeException | Error f) {
                    e.addSuppressed(f);
                }
                throw e;
            }
            recorder.flush();
        }
        lastSegments = recorder.segments();
        lastOps = recorder.ops();
        lastRunNanos = recorder.runNanos();
        return outputs;
    }

    private List<Tensor> callInScope(List<Tensor> inputs) {
        try (TensorScope scope = TensorScope.open()) {
            List<Tensor> outputs = List.copyOf(step.apply(inputs));
            for (Tensor t : outputs) {
                if (t.scope() == scope) {
                    scope.keep(t);
                }
            }
            return outputs;
        }
    }

    /** Releases the compiled programs. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (cache != null) {
                cache.close();
            }
        }
    }
}
