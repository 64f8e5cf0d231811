package dev.llmforge.training;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.DataParallel;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.nn.Module;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.LrSchedule;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.data.ReplicaShare;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import dev.llmforge.training.metrics.MetricNames;
import dev.llmforge.training.metrics.MetricsChart;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, for every objective: an {@link Objective} over named models (some frozen),
 * one or more optimisers with their learning-rate schedules, a training {@link BatchSource} and
 * evaluation sources. The loop owns what every objective needs the same way: gradient
 * accumulation, global-norm clipping, schedules, the non-finite policy, evaluation every N steps
 * and the best checkpoint by a named metric, atomic checkpoints and exact resume, JSONL metrics,
 * console progress, charts, and {@link #requestStop()}.
 *
 * <pre>{@code
 * try (Trainer trainer = Trainer.builder()
 *         .backend(backend)
 *         .config(TrainingConfig.builder().batchSize(8).maxIters(1000).build())
 *         .model("model", gpt)                                     // the primary model: saved as model.safetensors
 *         .objective(new MyObjective(gpt))
 *         .trainSource(trainRecords).evalSource("val", heldOut)
 *         .outputDir(Path.of("out/run"))                            // ckpt/, best/, metrics.jsonl, loss.png
 *         .build()) {
 *     TrainingResult result = trainer.run();
 * }
 * }</pre>
 *
 * <p>A step: each optimiser's learning rate is set from its schedule, then {@link Objective#step}
 * runs — by default one update over {@code gradAccumSteps} micro-batches of the training source:
 * a {@link CompiledStep} computes the objective's loss on each (scaled by 1/n, gradients summed),
 * clips each optimiser's gradients, applies the updates and returns the loss, the metrics and the
 * gradient norms as one vector, read to the host once. The step is captured as a graph on backends
 * that support it ({@link TrainingConfig#compile()}), else eager.
 *
 * <p>Checkpoints ({@code ckpt/} after each evaluation, at the end and when stopped; {@code best/},
 * without optimiser state, when the best metric improves) hold every model, every optimiser, the
 * tokenizer and a {@link TrainingState} (step, source positions, dropout streams, the objective's
 * state), written as one directory swapped in atomically; a trainer built with
 * {@link Builder#resumeFrom} continues exactly: the same losses as an uninterrupted run. A trainer
 * is used from one thread; {@link #requestStop()} may be called from any.
 *
 * <p>Data-parallel ({@link Builder#collective}): every replica builds the same trainer (the same models,
 * seeds and global batch size) with its collective. The trainer then gives each source's batches to the
 * replicas in equal shares of rows ({@link ReplicaShare}), makes every replica start from rank 0's
 * parameters, averages the gradients once per update (after the last micro-batch's backward, before
 * clipping), and averages the losses and metrics of updates and evaluations over the replicas, so every
 * replica reports the global figures and takes the same decisions; rank 0 alone writes checkpoints,
 * metrics and charts. Updates then run eagerly (the averaging reads the gradients on the host).
 */
public final class Trainer implements AutoCloseable {
    /** Sub-directory of the output directory holding the latest checkpoint (with optimiser state). */
    public static final String LATEST_DIR = "ckpt";
    /** Sub-directory holding the checkpoint with the best evaluation (models, tokenizer and state; no optimiser). */
    public static final String BEST_DIR = "best";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String CHART_FILE = "loss.png";
    /** The name of the training source's state in {@code trainer.json}. */
    public static final String TRAIN_SOURCE = "train";
    /** The name of a run's model when it has one (as pretraining does). */
    public static final String DEFAULT_MODEL = "model";
    /** The name of the AdamW the loop makes when it is given no optimiser. */
    public static final String DEFAULT_OPTIMIZER = "optimizer";

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Which way the best metric improves. */
    public enum Goal { MINIMIZE, MAXIMIZE }

    private final Backend backend;
    private final TensorFactory tensors;
    private final TrainingConfig config;
    private final Objective objective;
    private final ModelSet models;
    private final OptimizerSet optimizers;
    private final BatchSource trainSource;
    private final Map<String, BatchSource> evalSources;
    private final String bestMetric;
    private final Goal goal;
    private final String tokenizerJson;
    private final Map<String, String> data;
    private final Path outputDir;
    private final DataParallel dataParallel;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final JsonLinesMetrics metricsFile;
    private final UpdateStep updateStep;
    private final EvalStep evalStep;
    private final List<AutoCloseable> owned;

    private long step;
    private long tokensSeen;
    private double bestValue = Double.NaN;
    private double elapsedBefore;
    private long runStartNanos;
    private volatile boolean stopRequested;
    private boolean closed;

    private Trainer(Builder b, ModelSet models, OptimizerSet optimizers, Path outputDir) throws IOException {
        this.backend = b.backend;
        this.tensors = Tensor.on(backend);
        this.config = b.config;
        this.objective = b.objective;
        this.models = models;
        this.optimizers = optimizers;
        this.dataParallel = b.collective == null ? null : new DataParallel(b.collective, models.trainedParameters());
        this.trainSource = b.trainSource == null ? null : share(b.trainSource);
        this.evalSources = new LinkedHashMap<>();
        b.evalSources.forEach((name, source) -> evalSources.put(name, share(source)));
        this.bestMetric = b.bestMetric;
        this.goal = b.goal;
        this.tokenizerJson = b.tokenizerJson;
        this.data = new LinkedHashMap<>(b.data);
        this.outputDir = outputDir;
        this.owned = List.copyOf(b.owned);
        if (b.resumeFrom != null) {
            restore(b.resumeFrom);
        }
        if (dataParallel != null) {
            separateDropoutStreams(dataParallel.collective().rank());
            dataParallel.broadcastParameters();
        }
        this.updateStep = new UpdateStep(backend, objective, optimizers, config, dataParallel);
        this.evalStep = new EvalStep(backend, objective, config.compile(), dataParallel);
        this.metricsFile = outputDir == null ? null : openOutputs(b.resumeFrom != null, b.charts);
        listeners.addAll(b.listeners);
        describeSetup(b.resumeFrom);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The name under which an evaluation source's position is saved ({@code eval.val}). */
    static String evalSourceKey(String source) {
        return "eval." + source;
    }

    /** This replica's share of a source's batches; the source itself on one machine. */
    private BatchSource share(BatchSource source) {
        return dataParallel == null ? source : ReplicaShare.of(source, dataParallel.collective().rank(), dataParallel.collective().size());
    }

    /**
     * Gives replica {@code rank} dropout masks of its own: each random stream continues where rank 0's
     * would be 2^40·rank masks later (SplitMix64 streams: no overlap within 2^40 masks). A resumed replica
     * starts again from rank 0's saved streams, so with dropout a resumed run draws other (equally
     * random) masks on ranks above 0 than an uninterrupted one.
     */
    private void separateDropoutStreams(int rank) {
        if (rank == 0) {
            return;
        }
        for (NamedModel m : models.list()) {
            long[] state = m.module().randomState();
            for (int i = 0; i < state.length; i++) {
                state[i] += 0x9E3779B97F4A7C15L * ((long) rank << 40);
            }
            m.module().setRandomState(state);
        }
    }

    /** Loads every model, optimiser, source and the objective's state from a checkpoint of the same run. */
    private void restore(Path dir) throws IOException {
        TrainingState s = TrainingCheckpoint.readState(dir);
        List<String> savedModels = new ArrayList<>(s.models().keySet());
        if (!savedModels.equals(models.names())) {
            throw new IllegalArgumentException(dir + " holds the models " + savedModels + ", this run has " + models.names());
        }
        for (NamedModel m : models.list()) {
            if (s.models().get(m.name()).frozen() != m.frozen()) {
                throw new IllegalArgumentException(dir + ": model '" + m.name() + "' was " + (m.frozen() ? "trained" : "frozen")
                        + " there, it is " + (m.frozen() ? "frozen" : "trained") + " in this run");
            }
        }
        List<String> optimizerNames = optimizers.list().stream().map(NamedOptimizer::name).toList();
        if (!s.optimizers().equals(optimizerNames)) {
            throw new IllegalArgumentException(dir + " holds the optimizers " + s.optimizers() + ", this run has " + optimizerNames);
        }
        Map<String, BatchSource> sources = sourcesByKey();
        if (!s.sources().keySet().equals(sources.keySet())) {
            throw new IllegalArgumentException(dir + " holds the positions of the sources " + s.sources().keySet() + ", this run has "
                    + sources.keySet());
        }
        TrainingCheckpoint.load(dir, models.list(), optimizers.list());
        for (int i = 0; i < optimizers.list().size(); i++) {
            NamedOptimizer o = optimizers.list().get(i);
            Long recorded = s.optimizerSteps().get(o.name());
            if (recorded != null && recorded != o.optimizer().stepCount()) {
                throw new IOException(dir.resolve(TrainingCheckpoint.optimizerFile(o.name(), i == 0)) + " holds step " + o.optimizer().stepCount()
                        + ", but " + TrainingCheckpoint.STATE_FILE + " records step " + recorded + " for optimizer '" + o.name()
                        + "': the files come from different saves");
            }
        }
        for (NamedModel m : models.list()) {
            m.module().setRandomState(s.models().get(m.name()).randomState());
        }
        sources.forEach((key, source) -> source.restore(s.sources().get(key)));
        objective.restore(s.objectiveState());
        step = s.step();
        tokensSeen = s.tokensSeen();
        bestValue = s.bestMetric().equals(bestMetric) ? s.bestValue() : Double.NaN;
        elapsedBefore = s.elapsedSeconds();
    }

    /** The training source as {@code train} and each evaluation source as {@code eval.NAME}. */
    private Map<String, BatchSource> sourcesByKey() {
        Map<String, BatchSource> out = new LinkedHashMap<>();
        if (trainSource != null) {
            out.put(TRAIN_SOURCE, trainSource);
        }
        evalSources.forEach((name, source) -> out.put(evalSourceKey(name), source));
        return out;
    }

    /** Metrics file and charts in the output directory; on resume both continue from the checkpoint's step. */
    private JsonLinesMetrics openOutputs(boolean resuming, List<MetricsChart.Spec> chartSpecs) throws IOException {
        Files.createDirectories(outputDir);
        Path metricsPath = outputDir.resolve(METRICS_FILE);
        if (resuming) {
            JsonLinesMetrics.truncateAfter(metricsPath, step);
        } else {
            Files.deleteIfExists(metricsPath);
        }
        List<MetricsChart> charts = new ArrayList<>();
        for (MetricsChart.Spec spec : chartSpecs(chartSpecs)) {
            MetricsChart chart = new MetricsChart(outputDir.resolve(spec.fileName()), spec);
            if (resuming) {
                chart.load(metricsPath);
            } else {
                Files.deleteIfExists(outputDir.resolve(spec.fileName()));
            }
            charts.add(chart);
        }
        JsonLinesMetrics metrics = new JsonLinesMetrics(metricsPath);
        listeners.add(metrics);
        listeners.addAll(charts);
        return metrics;
    }

    /** The loss chart ({@code loss.png}) unless a given chart takes its file name, then the given ones. */
    private List<MetricsChart.Spec> chartSpecs(List<MetricsChart.Spec> given) {
        List<MetricsChart.Spec> specs = new ArrayList<>();
        if (given.stream().noneMatch(s -> s.fileName().equals(CHART_FILE))) {
            specs.add(MetricsChart.Spec.loss(new ArrayList<>(evalSources.keySet())));
        }
        specs.addAll(given);
        return specs;
    }

    private void describeSetup(Path resumedFrom) {
        for (NamedModel m : models.list()) {
            String shape = m.module() instanceof Gpt g ? String.format(Locale.ROOT, " (%d layers, %d heads, width %d, context %d, vocab %d)",
                    g.config().nLayer(), g.config().nHead(), g.config().nEmbd(), g.config().blockSize(), g.config().vocabSize()) : "";
            LOG.info(String.format(Locale.ROOT, "%s%s: %,d parameters%s", m.name(), m.frozen() ? " (frozen)" : "", m.module().parameterCount(),
                    shape));
        }
        for (NamedOptimizer o : optimizers.list()) {
            if (o.optimizer() instanceof AdamW adamw) {
                describeDecay(o.name(), adamw);
            }
        }
        if (resumedFrom != null) {
            LOG.info("resumed from " + resumedFrom + " at step " + step);
        }
        if (dataParallel != null) {
            LOG.info(String.format(Locale.ROOT, "data-parallel: replica %d of %d, %,d floats averaged per update%s", dataParallel.collective().rank(),
                    dataParallel.collective().size(), dataParallel.floatsPerStep(), outputDir == null ? "" : "; this replica writes the outputs"));
        }
        if (config.compile() && dataParallel != null) {
            LOG.info("data-parallel: training steps run eagerly (the gradients are averaged on the host)");
        } else if (config.compile() && !updateStep.isCaptured()) {
            LOG.info("backend " + backend.name() + " has no graph capture: training steps run eagerly");
        } else if (updateStep.isCaptured()) {
            LOG.info("backend " + backend.name() + ": training steps run as compiled graphs");
        }
    }

    private static void describeDecay(String name, AdamW adamw) {
        long decayed = 0;
        long decayedTensors = 0;
        long other = 0;
        long otherTensors = 0;
        for (Map.Entry<String, Tensor> e : adamw.parameters().entrySet()) {
            long n = e.getValue().shape().numel();
            if (adamw.decays(e.getKey())) {
                decayed += n;
                decayedTensors++;
            } else {
                other += n;
                otherTensors++;
            }
        }
        LOG.info(String.format(Locale.ROOT, "%s: AdamW, weight decay %s on %d tensors (%,d parameters), none on %d tensors (%,d parameters)",
                name, adamw.weightDecay(), decayedTensors, decayed, otherTensors, other));
    }

    // ---- the loop ---------------------------------------------------------------------------------------

    /**
     * Trains from the current step to {@link TrainingConfig#maxIters()}, or until
     * {@link #requestStop()}: evaluates every {@code evalInterval} steps and at the end, writing
     * checkpoints after each evaluation (and when stopped early) if there is an output directory.
     *
     * @throws NonFiniteLossException if an update's loss or gradient norm is not finite and the policy is STOP
     */
    @SuppressWarnings("try") // TensorScope guards do their work in close()
    public TrainingResult run() {
        checkOpen();
        runStartNanos = System.nanoTime();
        long firstStep = step;
        double stepMillisTotal = 0;
        long tokensRun = 0;
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
            if (stopAgreed()) {
                stoppedEarly = true;
                saveLatest();
                break;
            }
            long start = System.nanoTime();
            Map<String, Double> learningRates = optimizers.setLearningRates(step);
            StepContext context = new StepContext(trainSource, config.gradAccumSteps(), updateStep, tensors, step);
            try (TensorScope ignored = TensorScope.open()) {
                objective.step(context);
            }
            backend.releaseFreedMemory(); // the step's tensors are freed: a moment for the engine to return memory
            step++;
            tokensSeen += context.tokens();
            double millis = (System.nanoTime() - start) / 1e6;
            stepMillisTotal += millis;
            tokensRun += context.tokens();
            stepsRun++;
            StepMetrics metrics = new StepMetrics(step, config.maxIters(), context.metrics(), learningRates, context.gradNorms(),
                    context.tokens() / (millis / 1000), millis, elapsedSeconds());
            lastLoss = metrics.loss();
            listeners.forEach(l -> l.onStep(metrics));
            if (context.sawNonFinite()) {
                if (config.onNonFinite() == TrainingConfig.NonFinitePolicy.STOP) {
                    throw new NonFiniteLossException(step, context.firstNonFiniteLoss(), context.firstNonFiniteNorm(), outputDir == null
                            ? "set onNonFinite to SKIP to leave such steps out"
                            : "the checkpoints in " + outputDir + " are from before it; lower the learning rate, or skip such steps with on-nan=skip");
                }
                skipped += context.skippedUpdates();
                LOG.warn(String.format(Locale.ROOT, "step %d: loss %s, gradient norm %s: update skipped", step, context.firstNonFiniteLoss(),
                        context.firstNonFiniteNorm()));
            }
            if (step % config.evalInterval() == 0 || step == config.maxIters()) {
                lastEval = evaluateAndNotify();
                boolean best = improves(lastEval);
                if (best) {
                    bestValue = lastEval.get(bestMetric);
                }
                if (best) {
                    saveBest(); // before ckpt/: see saveBest
                }
                saveLatest();
            }
        }
        long lastStep = step;
        listeners.forEach(l -> l.onFinish(lastStep));
        double wall = (System.nanoTime() - runStartNanos) / 1e9;
        elapsedBefore += wall;
        runStartNanos = 0;
        return new TrainingResult(firstStep, step, lastLoss, lastEval, bestMetric, bestValue, skipped,
                stepsRun == 0 ? Double.NaN : stepMillisTotal / stepsRun, stepsRun == 0 ? Double.NaN : tokensRun / (stepMillisTotal / 1000),
                wall, stoppedEarly, updateStep.isCaptured());
    }

    /** A stop requested on any replica stops every replica, at the same step. */
    private boolean stopAgreed() {
        if (dataParallel == null) {
            return stopRequested;
        }
        return dataParallel.mean(new float[] {stopRequested ? 1f : 0f})[0] > 0f;
    }

    /** True if the evaluation's best metric beats the best so far (an evaluation without metrics never does). */
    private boolean improves(EvalMetrics e) {
        if (e.values().isEmpty()) {
            return false;
        }
        double v = e.get(bestMetric);
        if (Double.isNaN(v)) {
            return false;
        }
        return Double.isNaN(bestValue) || (goal == Goal.MINIMIZE ? v < bestValue : v > bestValue);
    }

    /**
     * The objective's evaluation ({@link Objective#evaluate}; by default the mean loss and metrics
     * over {@code evalIters} batches of each evaluation source) with every model in evaluation mode
     * (no dropout) and without gradients. The evaluation sources have their own positions, so
     * evaluating never changes which training batches come next.
     */
    @SuppressWarnings("try") // GradMode guards do their work in close()
    public EvalMetrics evaluate() {
        checkOpen();
        models.evaluationMode();
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            return new EvalMetrics(step, objective.evaluate(new EvalContext(evalSources, config.evalIters(), evalStep, tensors, step)));
        } finally {
            models.trainingMode();
        }
    }

    private EvalMetrics evaluateAndNotify() {
        EvalMetrics m = evaluate();
        if (!m.values().isEmpty()) {
            listeners.forEach(l -> l.onEval(m));
        }
        return m;
    }

    // ---- checkpoints -------------------------------------------------------------------------------------

    private void saveLatest() {
        if (outputDir != null) {
            saveCheckpoint(outputDir.resolve(LATEST_DIR), true);
            listeners.forEach(l -> l.onCheckpoint(step, outputDir.resolve(LATEST_DIR), false));
        }
    }

    /**
     * Written before {@code ckpt/} of the same step: if the run dies between the two, {@code ckpt/}
     * is still the previous one, whose recorded best value is that of an earlier {@code best/}
     * evaluation; resuming repeats the steps exactly and writes both again. The other order could
     * leave {@code ckpt/} recording a best value that {@code best/} does not hold, which no later
     * evaluation would repair.
     */
    private void saveBest() {
        if (outputDir != null) {
            saveCheckpoint(outputDir.resolve(BEST_DIR), false);
            listeners.forEach(l -> l.onCheckpoint(step, outputDir.resolve(BEST_DIR), true));
        }
    }

    /**
     * Writes a checkpoint of the current state to {@code dir} (atomically), with the optimisers'
     * state if {@code withOptimizers} (needed to resume from it).
     */
    public void saveCheckpoint(Path dir, boolean withOptimizers) {
        checkOpen();
        try {
            TrainingCheckpoint.write(dir, models.list(), withOptimizers ? optimizers.list() : List.of(), tokenizerJson, state());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + " at step " + step, e);
        }
    }

    /** The state a checkpoint written now would hold. */
    public TrainingState state() {
        Map<String, TrainingState.ModelState> modelStates = new LinkedHashMap<>();
        models.list().forEach(m -> modelStates.put(m.name(), new TrainingState.ModelState(m.frozen(), m.module().randomState())));
        Map<String, Map<String, Long>> sources = new LinkedHashMap<>();
        sourcesByKey().forEach((key, source) -> sources.put(key, source.state()));
        Map<String, Long> optimizerSteps = new LinkedHashMap<>();
        optimizers.list().forEach(o -> optimizerSteps.put(o.name(), o.optimizer().stepCount()));
        return new TrainingState(step, tokensSeen, bestMetric, bestValue, elapsedSeconds(), modelStates,
                optimizers.list().stream().map(NamedOptimizer::name).toList(), sources, objective.state(), config, data, optimizerSteps);
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

    /** The primary model (the first). */
    public Module model() {
        return models.primary().module();
    }

    /** A model by name. */
    public Module model(String name) {
        return models.list().stream().filter(m -> m.name().equals(name)).findFirst().map(NamedModel::module)
                .orElseThrow(() -> new IllegalArgumentException("no model '" + name + "'; the run has " + models.names()));
    }

    /** Every model, the primary first. */
    public List<NamedModel> models() {
        return models.list();
    }

    /** The first optimiser. */
    public Optimizer optimizer() {
        return optimizers.list().get(0).optimizer();
    }

    /** Every optimiser, the first one first. */
    public List<NamedOptimizer> optimizers() {
        return optimizers.list();
    }

    public TrainingConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /** Statistics of the compiled update step (runs, compilations, segments). */
    public CompiledStep.Stats stepStats() {
        return updateStep.stats();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer is closed");
        }
    }

    /**
     * Frees the optimisers' state, the compiled steps, the metrics file and what the trainer was
     * given to own ({@link Builder#owning}); frozen models get their gradients back.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        updateStep.close();
        evalStep.close();
        optimizers.close();
        models.release();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("cannot close " + c + ": " + e.getMessage());
            }
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

    /**
     * Settings of a {@link Trainer}: at least one trained model and an objective; everything else
     * has a default.
     */
    public static final class Builder {
        private Backend backend;
        private TrainingConfig config;
        private Objective objective;
        private final List<NamedModel> models = new ArrayList<>();
        private final List<NamedOptimizer> optimizers = new ArrayList<>();
        private BatchSource trainSource;
        private final Map<String, BatchSource> evalSources = new LinkedHashMap<>();
        private String bestMetric = "val_loss";
        private Goal goal = Goal.MINIMIZE;
        private String tokenizerJson;
        private final Map<String, String> data = new LinkedHashMap<>();
        private Path outputDir;
        private Collective collective;
        private Path resumeFrom;
        private boolean overwrite;
        private BiPredicate<String, Tensor> decayWhen = AdamW.MATRICES;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private final List<MetricsChart.Spec> charts = new ArrayList<>();
        private final List<AutoCloseable> owned = new ArrayList<>();

        private Builder() {
        }

        /** The backend (default {@link Backends#get()}); every model must live on it. */
        public Builder backend(Backend v) {
            backend = v;
            return this;
        }

        /** How to train (default {@link TrainingConfig#nanoGptShakespeareChar()}; on resume, the checkpoint's). */
        public Builder config(TrainingConfig v) {
            config = v;
            return this;
        }

        /** What to optimise (required). */
        public Builder objective(Objective v) {
            objective = Objects.requireNonNull(v);
            return this;
        }

        /**
         * A model the run trains (its parameters change in place; the caller keeps ownership). The
         * first model added is the primary one, saved as a plain model checkpoint.
         */
        public Builder model(String name, Module module) {
            models.add(new NamedModel(name, module, false));
            return this;
        }

        /** A model the run uses but does not train (a reference, a reward model): no gradients, no optimiser, evaluation mode. */
        public Builder frozenModel(String name, Module module) {
            models.add(new NamedModel(name, module, true));
            return this;
        }

        /**
         * An optimiser over chosen parameters with its own schedule. Default, when none is given: one
         * AdamW ({@value #DEFAULT_OPTIMIZER}) over every trained parameter with the config's learning
         * rate schedule, betas and weight decay. The trainer closes the optimisers' state.
         */
        public Builder optimizer(String name, Optimizer optimizer, LrSchedule schedule) {
            optimizers.add(new NamedOptimizer(name, optimizer, schedule));
            return this;
        }

        /** Which parameters the default AdamW decays (default {@link AdamW#MATRICES}: rank >= 2, as nanoGPT). */
        public Builder weightDecayWhen(BiPredicate<String, Tensor> v) {
            decayWhen = Objects.requireNonNull(v);
            return this;
        }

        /** Where the default step draws its micro-batches. */
        public Builder trainSource(BatchSource v) {
            trainSource = Objects.requireNonNull(v);
            return this;
        }

        /** A held-out source evaluated under {@code name} (its metrics are {@code NAME_loss}, ...). */
        public Builder evalSource(String name, BatchSource source) {
            MetricNames.checkName("source", name);
            if (evalSources.putIfAbsent(name, Objects.requireNonNull(source)) != null) {
                throw new IllegalArgumentException("two evaluation sources are named '" + name + "'");
            }
            return this;
        }

        /** The evaluation metric that chooses {@code best/} and which way it improves (default lowest {@code val_loss}). */
        public Builder bestMetric(String metric, Goal direction) {
            bestMetric = Objects.requireNonNull(metric);
            goal = Objects.requireNonNull(direction);
            return this;
        }

        /** The tokenizer saved with every checkpoint (as {@code tokenizer.json}). */
        public Builder tokenizerJson(String json) {
            tokenizerJson = json;
            return this;
        }

        /** Information on what the run trains on, saved in {@code trainer.json} (e.g. the data directory). */
        public Builder data(String key, String value) {
            data.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        /** Where checkpoints ({@code ckpt/}, {@code best/}), {@code metrics.jsonl} and charts go (default: nowhere). */
        public Builder outputDir(Path v) {
            outputDir = v;
            return this;
        }

        /**
         * Continue the run saved in this checkpoint directory: every model's parameters, every
         * optimiser's state, the step, the sources' positions, dropout streams and the objective's
         * state. The run must have the checkpoint's models, optimisers and sources, by name.
         */
        public Builder resumeFrom(Path checkpointDir) {
            resumeFrom = checkpointDir;
            return this;
        }

        /** Allow a fresh run to replace the checkpoints and metrics of an earlier run in the output directory. */
        public Builder overwrite(boolean v) {
            overwrite = v;
            return this;
        }

        /**
         * Trains data-parallel as one replica among {@code collective.size()} (default: alone). Every
         * replica builds the same trainer with the same settings; the sources make the global batch and
         * this replica trains on its rows of it. Rank 0 writes the output directory (which must be on
         * storage every replica can read, to resume); every replica reads {@link #resumeFrom}. Listeners
         * are told on every replica, with the global figures.
         */
        public Builder collective(Collective v) {
            collective = v;
            return this;
        }

        public Builder listener(TrainingListener v) {
            listeners.add(Objects.requireNonNull(v));
            return this;
        }

        /** Another chart of chosen series (one with the file name {@value #CHART_FILE} replaces the loss chart). */
        public Builder chart(MetricsChart.Spec v) {
            charts.add(Objects.requireNonNull(v));
            return this;
        }

        /** Something the trainer closes when it closes (a model it was built for, e.g.). */
        public Builder owning(AutoCloseable v) {
            owned.add(Objects.requireNonNull(v));
            return this;
        }

        /**
         * Creates the trainer: checks models, optimisers and sources, builds the default optimiser,
         * and on resume loads the checkpoint.
         *
         * @throws IOException              if the checkpoint cannot be read
         * @throws IllegalArgumentException if models, optimisers, sources or checkpoint do not fit together
         * @throws OutputDirectoryException if another live run holds the output directory ({@link OutputLock}), or a fresh run
         *                                  would replace an earlier run's checkpoint without {@link #overwrite}
         */
        public Trainer build() throws IOException {
            if (objective == null) {
                throw new IllegalStateException("a Trainer needs an objective (Builder.objective)");
            }
            if (backend == null) {
                backend = Backends.get();
            }
            Path written = collective == null || collective.rank() == 0 ? outputDir : null; // one replica writes the outputs
            ModelSet modelSet = new ModelSet(models);
            for (NamedModel m : models) {
                List<Tensor> params = m.module().parameters();
                if (!params.isEmpty() && params.get(0).backend() != backend) {
                    throw new IllegalArgumentException("model '" + m.name() + "' lives on backend " + params.get(0).backend().name()
                            + ", the trainer uses " + backend.name());
                }
            }
            OutputLock lock = written == null ? null : OutputLock.acquire(written); // by the replica that writes, before anything is read or replaced
            if (lock != null) {
                owned.add(lock);
            }
            try {
                return build(modelSet, written);
            } catch (IOException | RuntimeException e) {
                if (lock != null) {
                    owned.remove(lock);
                    lock.close();
                }
                throw e;
            }
        }

        private Trainer build(ModelSet modelSet, Path written) throws IOException {
            if (resumeFrom != null) {
                TrainingState resumed = TrainingCheckpoint.readState(resumeFrom);
                if (config == null) {
                    config = resumed.config();
                }
                for (int i = 0; i < resumed.optimizers().size(); i++) {
                    String file = TrainingCheckpoint.optimizerFile(resumed.optimizers().get(i), i == 0);
                    if (!Files.isRegularFile(resumeFrom.resolve(file))) {
                        throw new IllegalArgumentException(resumeFrom + " has no optimizer state (" + file + "; " + BEST_DIR + "/ checkpoints are "
                                + "for inference): resume from " + LATEST_DIR + "/");
                    }
                }
            } else {
                if (config == null) {
                    config = TrainingConfig.nanoGptShakespeareChar();
                }
                if (written != null && !overwrite) {
                    refuseToReplace(written.resolve(LATEST_DIR));
                    refuseToReplace(written.resolve(BEST_DIR));
                }
            }
            modelSet.prepareForTraining();
            List<NamedOptimizer> optimizerList = optimizers.isEmpty() ? List.of(defaultOptimizer(modelSet)) : optimizers;
            OptimizerSet optimizerSet = null;
            try {
                optimizerSet = new OptimizerSet(optimizerList, modelSet);
                if (written != null && overwrite && resumeFrom == null) {
                    Checkpoint.delete(written.resolve(LATEST_DIR));
                    Checkpoint.delete(written.resolve(BEST_DIR));
                }
                if (written != null) {
                    Checkpoint.removeLeftovers(written.resolve(LATEST_DIR), resumeFrom);
                    Checkpoint.removeLeftovers(written.resolve(BEST_DIR), resumeFrom);
                }
                return new Trainer(this, modelSet, optimizerSet, written);
            } catch (IOException | RuntimeException e) {
                if (optimizerSet != null) {
                    optimizerSet.close();
                } else if (optimizers.isEmpty()) {
                    optimizerList.get(0).optimizer().close();
                }
                modelSet.release();
                throw e;
            }
        }

        private NamedOptimizer defaultOptimizer(ModelSet modelSet) {
            LrSchedule schedule = config.schedule();
            AdamW adamw = AdamW.builder(modelSet.trainedParameters()).lr(schedule.at(0)).betas(config.beta1(), config.beta2())
                    .weightDecay(config.weightDecay()).decayWhen(decayWhen).build();
            return new NamedOptimizer(DEFAULT_OPTIMIZER, adamw, schedule);
        }

        private static void refuseToReplace(Path dir) throws IOException {
            Optional<Path> found = TrainingCheckpoint.exists(dir) ? Optional.of(dir) : Checkpoint.movedAside(dir, TrainingCheckpoint.STATE_FILE);
            if (found.isPresent()) {
                long at = TrainingCheckpoint.readState(found.get()).step();
                throw new OutputDirectoryException((found.get() == dir ? dir : found.get() + ", moved aside by an interrupted write of " + dir + ",")
                        + " already holds a checkpoint (step " + at + ") of an earlier run: resume from it, "
                        + "allow overwriting it, or choose another output directory");
            }
        }
    }
}
