package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.model.Gpt;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.List;

/**
 * The reference model on llmforge: core's {@link Gpt} (nanoGPT's shape: no biases, exact GELU,
 * tied head), core's AdamW and global-norm clipping, the step run through {@link StepCompiler}
 * (one compiled graph per step on backends that capture, eager elsewhere).
 */
final class LlmforgeGpt implements PretrainModel {
    private final ReferenceConfig cfg;
    private final Backend backend;
    private final Gpt model;
    private final List<Tensor> parameters;
    private final AdamW adamw;
    private final CompiledStep step;

    LlmforgeGpt(ReferenceConfig cfg, int vocab, Backend backend, long seed) {
        this.cfg = cfg;
        this.backend = backend;
        this.model = new Gpt(cfg.model(vocab), backend, seed);
        this.parameters = model.parameters();
        this.adamw = AdamW.builder(model.namedParameters()).lr(cfg.maxLr()).betas(cfg.beta1(), cfg.beta2()).eps(cfg.eps())
                .weightDecay(cfg.weightDecay()).build();
        this.step = StepCompiler.compile(backend, batch -> {
            adamw.zeroGrad();
            Tensor loss = model.loss(batch.get(0), batch.get(1));
            loss.backward();
            GradClip.clipGlobalNorm(parameters, cfg.gradClip());
            adamw.step();
            return List.of(loss);
        });
    }

    @Override
    public double trainStep(long[] x, long[] y, double lr) {
        adamw.setLearningRate(lr);
        try (TensorScope ignored = TensorScope.open()) {
            Tensor xs = Tensor.on(backend).of(x, cfg.batch(), cfg.block());
            Tensor ys = Tensor.on(backend).of(y, cfg.batch(), cfg.block());
            return step.run(xs, ys).get(0).item();
        }
    }

    @Override
    public double evalLoss(List<long[][]> batches) {
        model.eval();
        double sum = 0;
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            for (long[][] b : batches) {
                try (TensorScope scope = TensorScope.open()) {
                    Tensor xs = Tensor.on(backend).of(b[0], cfg.batch(), cfg.block());
                    Tensor ys = Tensor.on(backend).of(b[1], cfg.batch(), cfg.block());
                    sum += model.loss(xs, ys).item();
                }
            }
        } finally {
            model.train();
        }
        return sum / batches.size();
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public String describe() {
        return "llmforge on " + backend.name() + (step.isCaptured() ? " (step captured as one graph)" : " (eager)");
    }

    @Override
    public void close() {
        step.close();
        adamw.close();
        model.close();
    }
}
