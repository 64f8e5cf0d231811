package dev.llmforge.benchmarks.tensorflow;

import static dev.llmforge.benchmarks.StepBenchmarkModel.BATCH;
import static dev.llmforge.benchmarks.StepBenchmarkModel.BLOCK;
import static dev.llmforge.benchmarks.StepBenchmarkModel.VOCAB;

import dev.llmforge.backend.djl.DjlBackend;
import dev.llmforge.backend.tensorflow.TensorFlowBackend;
import dev.llmforge.benchmarks.StepBenchmarkModel;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.model.Gpt;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training-step throughput of nanoGPT's CPU configuration (4 layers, 4 heads, 128 wide, block 64,
 * batch 12, vocabulary 65, no dropout; AdamW with global-norm clipping at 1) on PyTorch through
 * DJL (eager), TensorFlow eager, and TensorFlow with the step captured and run as one graph
 * ({@link StepCompiler}), all in one JVM. Each configuration trains its own identically seeded
 * model on the same random batches (uploaded inside the timed step); the configurations take
 * turns in blocks of steps, with a pause between blocks so PyTorch's OpenMP threads stop spinning
 * before TensorFlow runs. Prints the median step time, tokens/s and the ratio to DJL.
 *
 * <pre>
 * mvn -B -o -q -pl core,backend-djl,backend-tensorflow install -DskipTests
 * mvn -B -o -q -pl benchmarks package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.llmforge.benchmarks.tensorflow.TrainingStepBenchmark [rounds] [stepsPerBlock]
 * </pre>
 */
public final class TrainingStepBenchmark {
    private static final long PAUSE_MILLIS = 300;

    private TrainingStepBenchmark() {
    }

    /** One backend and way of running the step, with its own model and optimiser. */
    private static final class Config implements AutoCloseable {
        final String name;
        final Backend backend;
        final Gpt model;
        final AdamW adamw;
        final CompiledStep step;
        final List<Double> millis = new ArrayList<>();
        final List<Double> programMillis = new ArrayList<>();
        double lastLoss;

        Config(String name, Backend backend, boolean capture) {
            this.name = name;
            this.backend = backend;
            this.model = StepBenchmarkModel.gpt(backend);
            this.adamw = StepBenchmarkModel.adamw(model);
            this.step = capture ? StepCompiler.compile(backend, this::train) : StepCompiler.eager(backend, this::train);
        }

        private List<Tensor> train(List<Tensor> batch) {
            adamw.zeroGrad();
            Tensor loss = model.loss(batch.get(0), batch.get(1));
            loss.backward();
            GradClip.clipGlobalNorm(model.parameters(), 1.0);
            adamw.step();
            return List.of(loss);
        }

        /** One timed step on the batch {@code (x, y)} given as host token ids. */
        void run(long[] x, long[] y, boolean record) {
            long start = System.nanoTime();
            try (TensorScope ignored = TensorScope.open()) {
                Tensor xs = Tensor.on(backend).of(x, BATCH, BLOCK);
                Tensor ys = Tensor.on(backend).of(y, BATCH, BLOCK);
                lastLoss = step.run(xs, ys).get(0).item();
            }
            if (record) {
                millis.add((System.nanoTime() - start) / 1e6);
                programMillis.add(step.stats().lastRunMillis());
            }
        }


        @Override
        public void close() {
            step.close();
            adamw.close();
            model.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int stepsPerBlock = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Config> configs = List.of(
                new Config("djl (PyTorch, eager)", Backends.get("djl"), false),
                new Config("tensorflow eager", Backends.get("tensorflow"), false),
                new Config("tensorflow captured graph", Backends.get("tensorflow"), true));
        System.out.printf(Locale.ROOT, "GPT 4x128, block %d, batch %d (%d tokens/step), vocab %d; %d rounds of %d steps per configuration%n",
                BLOCK, BATCH, BATCH * BLOCK, VOCAB, rounds, stepsPerBlock);
        System.out.printf(Locale.ROOT, "%d processors; intra-op threads: PyTorch %d, TensorFlow %d (set both with -Dllmforge.threads=N)%n",
                Runtime.getRuntime().availableProcessors(), ((DjlBackend) configs.get(0).backend).threads(),
                ((TensorFlowBackend) configs.get(1).backend).threads());
        List<long[][]> batches = StepBenchmarkModel.batches(stepsPerBlock);
        for (Config c : configs) { // warm-up (and, for the captured step, compilation)
            for (int i = 0; i < 3; i++) {
                c.run(batches.get(i)[0], batches.get(i)[1], false);
            }
            Thread.sleep(PAUSE_MILLIS);
        }
        for (int r = 0; r < rounds; r++) {
            for (Config c : configs) {
                for (long[][] b : batches) {
                    c.run(b[0], b[1], true);
                }
                Thread.sleep(PAUSE_MILLIS);
            }
        }
        double djl = StepBenchmarkModel.median(configs.get(0).millis);
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %10s %10s%n", "configuration", "ms/step", "tokens/s", "vs djl", "last loss");
        for (Config c : configs) {
            double ms = StepBenchmarkModel.median(c.millis);
            System.out.printf(Locale.ROOT, "%-28s %12.2f %12.0f %9.2fx %10.4f%n", c.name, ms, BATCH * BLOCK / (ms / 1e3), djl / ms, c.lastLoss);
        }
        CompiledStep.Stats s = configs.get(2).step.stats();
        System.out.printf(Locale.ROOT, "captured step: %d ops recorded per step, %d segment(s), %d graph compilation(s); median %.2f ms/step in TensorFlow's graph run, the rest recording%n",
                s.lastOps(), s.lastSegments(), s.compilations(), StepBenchmarkModel.median(configs.get(2).programMillis));
        for (Config c : configs) {
            c.close();
        }
    }
}
