package dev.llmforge.training;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.optim.LrSchedule;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSampler;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import dev.llmforge.training.metrics.LossCurveChart;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pretrains a {@link Gpt} on a {@link TokenData} set, as nanoGPT's {@code train.py}: random (B, T)
 * windows from a seeded generator, AdamW with weight decay on matrices and embeddings only, linear
 * warmup and cosine decay of the learning rate, global gradient-norm clipping, gradient
 * accumulation, evaluation every N steps (mean loss over a number of batches of each split),
 * checkpoints of the latest and the best state, and listeners for metrics and progress.
 *
 * <pre>{@code
 * TokenData data = TokenData.open(Path.of("out/shakespeare-char"));
 * try (Trainer trainer = Trainer.builder()
 *         .backend(Backends.get("djl"))
 *         .data(data)
 *         .model(TrainingConfig.nanoGptShakespeareCharModel(data.vocabSize()))
 *         .config(TrainingConfig.nanoGptShakespeareChar())
 *         .outputDir(Path.of("out/shakespeare-char"))        // ckpt/, best/, metrics.jsonl, loss.png
 *         .listener(new ConsoleProgress(System.out, 10))
 *         .build()) {
 *     TrainingResult result = trainer.run();
 * }
 * }</pre>
 *
 * <p>One step: the learning rate of the schedule is set, {@code gradAccumSteps} micro-batches are
 * uploaded, and a {@link CompiledStep} runs forward, backward (each micro-batch loss scaled by
 * 1/steps, gradients summed), clipping and the AdamW update, all on the device inside one
 * {@link TensorScope}; the loss and the gradient norm are then read to the host. The step is
 * captured as a graph on backends that support it ({@link TrainingConfig#compile()}), else eager.
 *
 * <p>Checkpoints ({@code ckpt/} after each evaluation and at the end, {@code best/} when the
 * validation loss improves) hold the model, the optimiser state, the tokenizer and a
 * {@link TrainingState}; a trainer built with {@link Builder#resumeFrom} continues exactly: the
 * same losses as an uninterrupted run. A trainer is used from one thread; {@link #requestStop()}
 * may be called from any.
 */
public final class Trainer implements AutoCloseable {
    /** Sub-directory of the output directory holding the latest checkpoint (with optimiser state). */
    public static final String LATEST_DIR = "ckpt";
    /** Sub-directory holding the checkpoint with the lowest validation loss (model, tokenizer and state; no optimiser). */
    public static final String BEST_DIR = "best";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String CHART_FILE = "loss.png";

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final long TRAIN_STREAM = 0x7261696EL;
    private static final long EVAL_STREAM = 0x6576616CL;

    private final Backend backend;
    private final TensorFactory tensors;
    private final Gpt model;
    private final boolean ownsModel;
    private final List<Tensor> parameters;
    private final AdamW optimizer;
    private final TokenData data;
    private final String tokenizerJson;
    private final TrainingConfig config;
    private final LrSchedule schedule;
    private final int blockSize;
    private final Rng trainRng;
    private final Rng evalRng;
    private final BatchSampler trainBatches;
    private final BatchSampler evalTrainBatches;
    private final BatchSampler evalValBatches;
    private final Path outputDir;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final JsonLinesMetrics metricsFile;
    private final CompiledStep trainStep;
    private final CompiledStep evalStep;

    private long step;
    private long tokensSeen;
    private double bestValLoss;
    private double elapsedBefore;
    private long runStartNanos;
    private volatile boolean stopRequested;
    private boolean closed;

    private Trainer(Builder b, Gpt model, boolean ownsModel, TrainingState resumed) throws IOException {
        this.backend = b.backend;
        this.tensors = Tensor.on(backend);
        this.model = model;
        this.ownsModel = ownsModel;
        this.parameters = model.parameters();
        this.data = b.data;
        this.config = b.config;
        this.schedule = config.schedule();
        this.blockSize = model.config().blockSize();
        this.tokenizerJson = TokenizerFiles.toJson(data.tokenizer());
        this.optimizer = AdamW.builder(model.namedParameters()).lr(schedule.at(0)).betas(config.beta1(), config.beta2())
                .weightDecay(config.weightDecay()).decayWhen(b.decayWhen).build();
        this.trainRng = new Rng(config.seed() ^ TRAIN_STREAM);
        this.evalRng = new Rng(config.seed() ^ EVAL_STREAM);
        this.trainBatches = new BatchSampler(data.train(), config.batchSize(), blockSize, trainRng);
        this.evalTrainBatches = new BatchSampler(data.train(), config.batchSize(), blockSize, evalRng);
        this.evalValBatches = new BatchSampler(data.val(), config.batchSize(), blockSize, evalRng);
        this.outputDir = b.outputDir;
        boolean ready = false;
        JsonLinesMetrics metrics = null;
        try {
            if (resumed != null) {
                Checkpoint.loadOptimizer(b.resumeFrom, optimizer);
                model.setRandomState(resumed.modelRandomState());
                trainRng.setState(resumed.trainRng());
                evalRng.setState(resumed.evalRng());
                step = resumed.step();
                tokensSeen = resumed.tokensSeen();
                bestValLoss = resumed.bestValLoss();
                elapsedBefore = resumed.elapsedSeconds();
            } else {
                bestValLoss = Double.NaN;
                elapsedBefore = 0;
            }
            if (outputDir != null) {
                metrics = openOutputs(resumed != null);
            }
            ready = true;
        } finally {
            if (!ready) {
                optimizer.close();
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
        this.metricsFile = metrics;
        listeners.addAll(b.listeners);
        this.trainStep = config.compile() ? StepCompiler.compile(backend, this::trainStep) : StepCompiler.eager(backend, this::trainStep);
        this.evalStep = config.compile() ? StepCompiler.compile(backend, this::evalStep) : StepCompiler.eager(backend, this::evalStep);
        describeSetup(resumed != null ? b.resumeFrom : null);
    }

    /** Metrics file and loss chart in the output directory; on resume both continue from the checkpoint's step. */
    private JsonLinesMetrics openOutputs(boolean resuming) throws IOException {
        Files.createDirectories(outputDir);
        Path metricsPath = outputDir.resolve(METRICS_FILE);
        LossCurveChart chart = new LossCurveChart(outputDir.resolve(CHART_FILE));
        if (resuming) {
            JsonLinesMetrics.truncateAfter(metricsPath, step);
            chart.load(metricsPath);
        } else {
            Files.deleteIfExists(metricsPath);
            Files.deleteIfExists(outputDir.resolve(CHART_FILE));
        }
        JsonLinesMetrics metrics = new JsonLinesMetrics(metricsPath);
        listeners.add(metrics);
        listeners.add(chart);
        return metrics;
    }

    private void describeSetup(Path resumedFrom) {
        long decayed = 0;
        long decayedTensors = 0;
        long other = 0;
        long otherTensors = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            long n = e.getValue().shape().numel();
            if (optimizer.decays(e.getKey())) {
                decayed += n;
                decayedTensors++;
            } else {
                other += n;
                otherTensors++;
            }
        }
        LOG.info(String.format(Locale.ROOT, "model: %,d parameters (%d layers, %d heads, width %d, context %d, vocab %d)",
                model.parameterCount(), model.config().nLayer(), model.config().nHead(), model.config().nEmbd(), blockSize,
                model.config().vocabSize()));
        LOG.info(String.format(Locale.ROOT, "AdamW weight decay %s on %d tensors (%,d parameters), none on %d tensors (%,d parameters)",
                config.weightDecay(), decayedTensors, decayed, otherTensors, other));
        LOG.info("data: " + data.describe());
        if (resumedFrom != null) {
            LOG.info("resumed from " + resumedFrom + " at step " + step);
        }
        if (config.compile() && !trainStep.isCaptured()) {
            LOG.info("backend " + backend.name() + " has no graph capture: training steps run eagerly");
        } else if (trainStep.isCaptured()) {
            LOG.info("backend " + backend.name() + ": training steps run as compiled graphs");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- the step ---------------------------------------------------------------------------------------

    /** Inputs: (x, y) of each micro-batch. Returns the loss (mean over micro-batches) and the gradient norm before clipping. */
    @SuppressWarnings("try") // TensorScope and GradMode guards do their work in close()
    private List<Tensor> trainStep(List<Tensor> batch) {
        optimizer.zeroGrad();
        int micro = batch.size() / 2;
        Tensor loss = null;
        for (int i = 0; i < micro; i++) {
            Tensor l = model.loss(batch.get(2 * i), batch.get(2 * i + 1));
            if (micro > 1) {
                l = l.mul(1.0 / micro);
            }
            l.backward(); // gradients add up over micro-batches
            if (loss == null) {
                loss = l;
            } else {
                try (GradMode.Restore ignored = GradMode.noGrad()) {
                    loss = loss.add(l);
                }
            }
        }
        Tensor norm;
        if (config.gradClip() > 0) {
            norm = GradClip.clipGlobalNorm(parameters, config.gradClip());
        } else {
            try (GradMode.Restore ignored = GradMode.noGrad()) {
                norm = GradClip.globalNorm(parameters);
            }
        }
        // only SKIP reads the values before the update (a host read inside the step); STOP checks them afterwards
        boolean skip = config.onNonFinite() == TrainingConfig.NonFinitePolicy.SKIP && !(Double.isFinite(loss.item()) && Double.isFinite(norm.item()));
        if (!skip) {
            optimizer.step();
        }
        optimizer.zeroGrad();
        return List.of(loss, norm);
    }

    private List<Tensor> evalStep(List<Tensor> batch) {
        return List.of(model.loss(batch.get(0), batch.get(1)));
    }

    // ---- the loop ---------------------------------------------------------------------------------------

    /**
     * Trains from the current step to {@link TrainingConfig#maxIters()}, or until
     * {@link #requestStop()}: evaluates every {@code evalInterval} steps and at the end, writing
     * checkpoints after each evaluation (and when stopped early) if there is an output directory.
     *
     * @throws NonFiniteLossException if a step's loss or gradient norm is not finite and the policy is STOP
     */
    @SuppressWarnings("try") // TensorScope and GradMode guards do their work in close()
    public TrainingResult run() {
        checkOpen();
        runStartNanos = System.nanoTime();
        long firstStep = step;
        long tokensPerStep = config.tokensPerStep(blockSize);
        double stepMillisTotal = 0;
        long stepsRun = 0;
        long skipped = 0;
        double lastLoss = Double.NaN;
        EvalMetrics lastEval = null;
        boolean stoppedEarly = false;
        listeners.forEach(l -> l.onStart(step, config.maxIters()));
        if (step == 0 && config.evalAtStart() && config.maxIters() > 0) {
            lastEval = evaluateAndNotify();
        }
        while (step < config.maxIters()) {
            if (stopRequested) {
                stoppedEarly = true;
                saveLatest();
                break;
            }
            long start = System.nanoTime();
            double lr = schedule.at(step);
            optimizer.setLearningRate(lr);
            double loss;
            double norm;
            try (TensorScope ignored = TensorScope.open()) {
                List<Tensor> out = trainStep.run(uploadTrainBatches());
                loss = out.get(0).item();
                norm = out.get(1).item();
            }
            backend.releaseFreedMemory(); // the step's tensors are freed: a moment for the engine to return memory
            step++;
            tokensSeen += tokensPerStep;
            double millis = (System.nanoTime() - start) / 1e6;
            stepMillisTotal += millis;
            stepsRun++;
            lastLoss = loss;
            StepMetrics metrics = new StepMetrics(step, config.maxIters(), loss, lr, norm, tokensPerStep / (millis / 1000), millis,
                    elapsedSeconds());
            listeners.forEach(l -> l.onStep(metrics));
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                if (config.onNonFinite() == TrainingConfig.NonFinitePolicy.STOP) {
                    throw new NonFiniteLossException(step, loss, norm, outputDir == null ? "set onNonFinite to SKIP to leave such steps out"
                            : "the checkpoints in " + outputDir + " are from before it; lower the learning rate, or skip such steps with on-nan=skip");
                }
                skipped++;
                LOG.warn(String.format(Locale.ROOT, "step %d: loss %s, gradient norm %s: update skipped", step, loss, norm));
            }
            if (step % config.evalInterval() == 0 || step == config.maxIters()) {
                lastEval = evaluateAndNotify();
                boolean best = Double.isNaN(bestValLoss) || lastEval.valLoss() < bestValLoss;
                if (best) {
                    bestValLoss = lastEval.valLoss();
                }
                saveLatest();
                if (best) {
                    saveBest();
                }
            }
        }
        long lastStep = step;
        listeners.forEach(l -> l.onFinish(lastStep));
        double wall = (System.nanoTime() - runStartNanos) / 1e9;
        elapsedBefore += wall;
        runStartNanos = 0;
        double msPerStep = stepsRun == 0 ? Double.NaN : stepMillisTotal / stepsRun;
        return new TrainingResult(firstStep, step, lastLoss, lastEval, bestValLoss, skipped, msPerStep,
                stepsRun == 0 ? Double.NaN : tokensPerStep * stepsRun / (stepMillisTotal / 1000), wall, stoppedEarly, trainStep.isCaptured());
    }

    /** (x, y) of each micro-batch as (B, T) I64 tensors in the current scope. */
    private List<Tensor> uploadTrainBatches() {
        List<Tensor> inputs = new ArrayList<>(2 * config.gradAccumSteps());
        for (int i = 0; i < config.gradAccumSteps(); i++) {
            Batch b = trainBatches.next();
            inputs.add(tensors.of(b.inputs(), b.batchSize(), b.blockSize()));
            inputs.add(tensors.of(b.targets(), b.batchSize(), b.blockSize()));
        }
        return inputs;
    }

    /**
     * Mean loss over {@code evalIters} random batches of the train split, then of the validation
     * split, in evaluation mode (no dropout) without gradients. Uses the evaluation generator only,
     * so it never changes which training batches come next.
     */
    @SuppressWarnings("try") // TensorScope and GradMode guards do their work in close()
    public EvalMetrics evaluate() {
        checkOpen();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            double train = meanLoss(evalTrainBatches);
            double val = meanLoss(evalValBatches);
            return new EvalMetrics(step, train, val);
        } finally {
            model.train(wasTraining);
        }
    }

    @SuppressWarnings("try") // TensorScope and GradMode guards do their work in close()
    private double meanLoss(BatchSampler batches) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor sum = null;
            for (int i = 0; i < config.evalIters(); i++) {
                Batch b = batches.next();
                Tensor loss = evalStep.run(tensors.of(b.inputs(), b.batchSize(), b.blockSize()),
                        tensors.of(b.targets(), b.batchSize(), b.blockSize())).get(0);
                sum = sum == null ? loss : sum.add(loss); // summed on the device: one host read per split
            }
            return sum.item() / config.evalIters();
        }
    }

    private EvalMetrics evaluateAndNotify() {
        EvalMetrics m = evaluate();
        listeners.forEach(l -> l.onEval(m));
        return m;
    }

    // ---- checkpoints -------------------------------------------------------------------------------------

    private void saveLatest() {
        if (outputDir != null) {
            saveCheckpoint(outputDir.resolve(LATEST_DIR), true);
            listeners.forEach(l -> l.onCheckpoint(step, outputDir.resolve(LATEST_DIR), false));
        }
    }

    private void saveBest() {
        if (outputDir != null) {
            saveCheckpoint(outputDir.resolve(BEST_DIR), false);
            listeners.forEach(l -> l.onCheckpoint(step, outputDir.resolve(BEST_DIR), true));
        }
    }

    /**
     * Writes a checkpoint of the current state to {@code dir} (atomically), with the optimiser state
     * if {@code withOptimizer} (needed to resume from it).
     */
    public void saveCheckpoint(Path dir, boolean withOptimizer) {
        checkOpen();
        try {
            TrainingCheckpoint.write(dir, model, withOptimizer ? optimizer : null, tokenizerJson, state());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + " at step " + step, e);
        }
    }

    /** The state a checkpoint written now would hold. */
    public TrainingState state() {
        return new TrainingState(step, trainRng.state(), evalRng.state(), model.randomState(), tokensSeen, bestValLoss, elapsedSeconds(),
                config, data.directory().toString(), data.train().size(), data.val().size());
    }

    private double elapsedSeconds() {
        return elapsedBefore + (runStartNanos == 0 ? 0 : (System.nanoTime() - runStartNanos) / 1e9);
    }

    // ---- accessors -----------------------------------------------------------------------------------------

    /** Asks {@link #run()} to stop before its next step (writing the latest checkpoint); safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Adds a listener (metrics, progress or a custom hook) for the following steps. */
    public void addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Optimiser steps completed. */
    public long step() {
        return step;
    }

    public Gpt model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public TrainingConfig config() {
        return config;
    }

    public TokenData data() {
        return data;
    }

    public Backend backend() {
        return backend;
    }

    /** Statistics of the compiled training step (runs, compilations, segments). */
    public CompiledStep.Stats stepStats() {
        return trainStep.stats();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer is closed");
        }
    }

    /** Frees the optimiser state, the compiled steps, the metrics file, and the model if the trainer created it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        trainStep.close();
        evalStep.close();
        optimizer.close();
        if (ownsModel) {
            model.close();
        }
        if (metricsFile != null) {
            try {
                metricsFile.close();
            } catch (IOException e) {
                LOG.warn("cannot close " + METRICS_FILE + ": " + e.getMessage());
            }
        }
    }

    // ---- building ----------------------------------------------------------------------------------------

    /** Settings of a {@link Trainer}; {@link #data} is required, everything else has a default. */
    public static final class Builder {
        private Backend backend;
        private TokenData data;
        private GptConfig modelConfig;
        private Gpt model;
        private TrainingConfig config;
        private Path outputDir;
        private Path resumeFrom;
        private boolean overwrite;
        private BiPredicate<String, Tensor> decayWhen = AdamW.MATRICES;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The backend (default {@link Backends#get()}). */
        public Builder backend(Backend v) {
            backend = v;
            return this;
        }

        /** The prepared data (required). */
        public Builder data(TokenData v) {
            data = v;
            return this;
        }

        /**
         * A fresh model of this shape, initialised from the training seed (default
         * {@link TrainingConfig#nanoGptShakespeareCharModel} for the data's vocabulary). The trainer owns it.
         */
        public Builder model(GptConfig v) {
            modelConfig = v;
            model = null;
            return this;
        }

        /** An existing model to train further (its parameters change in place; the caller keeps ownership). */
        public Builder model(Gpt v) {
            model = v;
            modelConfig = null;
            return this;
        }

        /** How to train (default {@link TrainingConfig#nanoGptShakespeareChar()}; on resume, the checkpoint's). */
        public Builder config(TrainingConfig v) {
            config = v;
            return this;
        }

        /** Where checkpoints ({@code ckpt/}, {@code best/}), {@code metrics.jsonl} and {@code loss.png} go (default: nowhere). */
        public Builder outputDir(Path v) {
            outputDir = v;
            return this;
        }

        /** Continue the run saved in this checkpoint directory (model, optimiser, step, generators). */
        public Builder resumeFrom(Path checkpointDir) {
            resumeFrom = checkpointDir;
            return this;
        }

        /** Allow a fresh run to replace the checkpoints and metrics of an earlier run in the output directory. */
        public Builder overwrite(boolean v) {
            overwrite = v;
            return this;
        }

        /** Which parameters get weight decay (default {@link AdamW#MATRICES}: rank >= 2, as nanoGPT). */
        public Builder weightDecayWhen(BiPredicate<String, Tensor> v) {
            decayWhen = Objects.requireNonNull(v);
            return this;
        }

        public Builder listener(TrainingListener v) {
            listeners.add(Objects.requireNonNull(v));
            return this;
        }

        /**
         * Creates the trainer: builds or loads the model and optimiser and checks that model, data and
         * checkpoint agree.
         *
         * @throws IOException              if the checkpoint cannot be read
         * @throws IllegalArgumentException if the model's vocabulary or tokenizer differs from the data's
         * @throws IllegalStateException    if a fresh run would replace an earlier run's checkpoint without {@link #overwrite}
         */
        public Trainer build() throws IOException {
            if (data == null) {
                throw new IllegalStateException("a Trainer needs data (Builder.data)");
            }
            if (backend == null) {
                backend = Backends.get();
            }
            TrainingState resumed = null;
            if (resumeFrom != null) {
                if (model != null || modelConfig != null) {
                    throw new IllegalStateException("resumeFrom loads the model from the checkpoint: do not also set a model");
                }
                resumed = TrainingCheckpoint.readState(resumeFrom);
                if (config == null) {
                    config = resumed.config();
                }
                checkVocabulary(Checkpoint.loadConfig(resumeFrom));
                checkTokenizer(resumeFrom);
                checkDataSize(resumed);
            } else {
                if (config == null) {
                    config = TrainingConfig.nanoGptShakespeareChar();
                }
                if (outputDir != null && !overwrite) {
                    refuseToReplace(outputDir.resolve(LATEST_DIR));
                    refuseToReplace(outputDir.resolve(BEST_DIR));
                }
            }
            boolean owns = model == null;
            Gpt m = model;
            if (resumeFrom != null) {
                m = Checkpoint.loadModel(resumeFrom, Tensor.on(backend), DType.F32);
                if (!Checkpoint.hasOptimizerState(resumeFrom)) {
                    m.close();
                    throw new IllegalArgumentException(resumeFrom + " has no optimizer state (" + BEST_DIR + "/ checkpoints are for inference): "
                            + "resume from " + LATEST_DIR + "/");
                }
            } else if (m == null) {
                GptConfig shape = modelConfig != null ? modelConfig : TrainingConfig.nanoGptShakespeareCharModel(data.vocabSize());
                m = new Gpt(shape, backend, config.seed());
            } else if (m.parameters().get(0).backend() != backend) {
                throw new IllegalArgumentException("the model lives on backend " + m.parameters().get(0).backend().name() + ", the trainer uses "
                        + backend.name());
            }
            try {
                checkVocabulary(m.config());
                if (outputDir != null && overwrite && resumeFrom == null) {
                    deleteTree(outputDir.resolve(LATEST_DIR));
                    deleteTree(outputDir.resolve(BEST_DIR));
                }
                m.train();
                return new Trainer(this, m, owns, resumed);
            } catch (IOException | RuntimeException e) {
                if (owns) {
                    m.close();
                }
                throw e;
            }
        }

        private void checkVocabulary(GptConfig c) {
            if (c.vocabSize() != data.vocabSize()) {
                throw new IllegalArgumentException("vocabulary mismatch: the model has " + c.vocabSize() + " tokens, the data in "
                        + data.directory() + " was encoded with " + data.vocabSize() + " (" + TokenizerFiles.describe(data.tokenizer()) + ")");
            }
        }

        private void checkTokenizer(Path checkpoint) throws IOException {
            if (Files.isRegularFile(checkpoint.resolve(Checkpoint.TOKENIZER))) {
                String saved = Files.readString(checkpoint.resolve(Checkpoint.TOKENIZER));
                if (!saved.equals(TokenizerFiles.toJson(data.tokenizer()))) {
                    throw new IllegalArgumentException("tokenizer mismatch: the data in " + data.directory() + " was encoded with "
                            + TokenizerFiles.describe(data.tokenizer()) + ", different from the tokenizer saved in " + checkpoint + " ("
                            + TokenizerFiles.describe(TrainingCheckpoint.tokenizer(checkpoint)) + ")");
                }
            }
        }

        private void checkDataSize(TrainingState s) {
            if (s.trainTokens() >= 0 && (s.trainTokens() != data.train().size() || s.valTokens() != data.val().size())) {
                LOG.warn("the checkpoint trained on " + s.trainTokens() + " train / " + s.valTokens() + " val tokens (" + s.dataDirectory()
                        + "), the data now has " + data.train().size() + " / " + data.val().size() + ": the run will not continue exactly");
            }
        }

        private static void refuseToReplace(Path dir) throws IOException {
            if (TrainingCheckpoint.exists(dir)) {
                long at = TrainingCheckpoint.readState(dir).step();
                throw new IllegalStateException(dir + " already holds a checkpoint (step " + at + ") of an earlier run: resume from it, "
                        + "allow overwriting it, or choose another output directory");
            }
        }

        private static void deleteTree(Path root) throws IOException {
            if (!Files.exists(root)) {
                return;
            }
            try (var walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
