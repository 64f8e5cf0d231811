package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * llmforge's side of the benchmark: what a user runs, the training module's {@link Pretraining} trainer with
 * nanoGPT's shakespeare-char configuration ({@link TrainingConfig#nanoGptShakespeareChar()} and its
 * model, at the size's shape and batch), on the prepared data ({@link Corpus#prepare}), without
 * checkpoints. Step times come from the trainer's own per-step metrics (batch upload, step, reading
 * the loss and gradient norm).
 */
final class TrainerRun {
    private TrainerRun() {
    }

    /** Trains {@code warmup + iters} steps (or the full run) and puts the figures into {@code result}; returns the timed step times. */
    static double[] run(Backend backend, ReferenceConfig size, TokenData data, long seed, int warmup, int iters, boolean full, PretrainRun.Meter meter,
                        Map<String, Object> result) throws IOException {
        TrainingConfig reference = TrainingConfig.nanoGptShakespeareChar().toBuilder().batchSize(size.batch()).build();
        TrainingConfig config = full ? reference.toBuilder().seed(seed).build()
                : reference.toBuilder().seed(seed).maxIters(warmup + iters).evalAtStart(false).evalInterval(warmup + iters).build();
        List<Double> millis = new ArrayList<>();
        TrainingListener timing = new TrainingListener() {
            @Override
            public void onStart(long step, long totalSteps) {
                if (warmup == 0) {
                    meter.start();
                }
            }

            @Override
            public void onStep(StepMetrics m) {
                if (m.step() > warmup) {
                    millis.add(m.millisPerStep());
                    if (m.step() == warmup + iters) {
                        meter.stop(iters, result);
                    }
                } else if (m.step() == warmup) {
                    meter.start();
                }
            }

            @Override
            public void onEval(EvalMetrics m) {
                if (full) {
                    System.err.printf(Locale.ROOT, "step %d: train loss %.4f, val loss %.4f%n", m.step(), m.get("train_loss"), m.get("val_loss"));
                    result.put("trainLoss", m.get("train_loss"));
                    result.put("valLoss", m.get("val_loss"));
                    result.put("valLoss@" + m.step(), m.get("val_loss"));
                }
            }
        };
        try (Trainer trainer = Pretraining.builder().backend(backend).data(data).model(size.model(data.vocabSize()))
                .config(config).listener(timing).build()) {
            result.put("params", trainer.model().parameterCount());
            TrainingResult r = trainer.run();
            result.put("describe", "llmforge Trainer on " + backend.name() + (r.compiled() ? " (step captured as one graph)" : " (eager)"));
            result.put("lastTrainLoss", r.lastTrainLoss());
        }
        return millis.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
