package dev.llmforge.generate;

import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.model.Gpt;
import dev.llmforge.nn.KvCache;
import dev.llmforge.tensor.Tensor;
import java.util.List;

/**
 * The one-token steps of generation with one model. On a backend with capture support a step runs
 * as one compiled program over a {@linkplain KvCache#fixedSize fixed-size cache} (compiled once per
 * batch size and padding layout, and kept until {@link #close()}); elsewhere it runs eagerly over a
 * growing cache. A {@link Generator} makes one on first use.
 */
public final class DecodeStep implements AutoCloseable {
    private final Gpt model;
    private final CompiledStep step;
    private KvCache running; // the cache the running step reads

    public DecodeStep(Gpt model) {
        this.model = model;
        Tensor any = model.parameters().get(0);
        this.step = StepCompiler.compile(any.backend(), ids -> List.of(model.nextTokenLogits(ids.get(0), running)));
    }

    /** True if steps run as a compiled program (over a fixed-size cache). */
    public boolean isCompiled() {
        return step.isCaptured();
    }

    /** The cache the steps run best with: fixed-size where they are compiled, else growing. */
    public KvCache newCache() {
        return isCompiled() ? model.newFixedSizeCache() : model.newCache();
    }

    /**
     * Logits (B, V) after one new token per row, {@code ids} (B, 1), continuing {@code cache} (the
     * new tokens are real: a padded prompt was read before, by {@link Gpt#nextTokenLogits(Tensor, Tensor, KvCache)}).
     * Compiled with a cache from {@link #newCache()} on a backend that captures, else as
     * {@link Gpt#nextTokenLogits(Tensor, KvCache)}. Calls are serialised.
     */
    public synchronized Tensor logits(Tensor ids, KvCache cache) {
        if (ids.rank() != 2 || ids.dim(1) != 1) {
            throw new IllegalArgumentException("a decode step reads one token per row, (B, 1), got " + ids.shape());
        }
        if (!cache.isFixedSize() || !step.isCaptured()) {
            return model.nextTokenLogits(ids, cache);
        }
        running = cache;
        try {
            return step.run(ids).get(0);
        } finally {
            running = null;
        }
    }

    /** Frees the compiled programs. */
    @Override
    public synchronized void close() {
        step.close();
    }
}
