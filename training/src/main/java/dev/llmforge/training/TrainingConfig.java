package dev.llmforge.training;

import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.LrSchedule;
import java.io.Serializable;

/**
 * How to train. The {@link Trainer} reads the accumulation, the length of the run, clipping,
 * evaluation, the non-finite policy and {@code compile}; the learning rate schedule, betas and
 * weight decay configure its default AdamW; the batch size and the seed are for whoever builds the
 * model and the sources ({@link Pretraining}: windows per micro-batch, initialisation, batch order
 * and dropout). Build with {@link #builder()} or start from {@link #nanoGptShakespeareChar()} and
 * adjust with {@link #toBuilder()}.
 *
 * @param batchSize      rows per micro-batch (B)
 * @param gradAccumSteps micro-batches whose gradients are summed into one optimiser update (each loss scaled by 1/steps)
 * @param maxIters       steps of the whole run
 * @param learningRate   peak learning rate (after warmup)
 * @param minLr          learning rate at the end of the cosine decay
 * @param warmupIters    steps of linear warmup
 * @param lrDecayIters   step at which the cosine decay reaches {@code minLr}
 * @param decayLr        false: constant {@code learningRate} (no warmup or decay)
 * @param beta1          AdamW's first-moment decay
 * @param beta2          AdamW's second-moment decay
 * @param weightDecay    AdamW's decoupled weight decay, applied to matrices and embeddings only
 * @param gradClip       global gradient-norm limit of each optimiser's parameters (0: no clipping)
 * @param evalInterval   evaluate every this many steps (and at the last step)
 * @param evalIters      batches of each evaluation source averaged per evaluation
 * @param evalAtStart    also evaluate before the first step of a fresh run
 * @param seed           seeds initialisation, batch order and dropout
 * @param onNonFinite    what an update with a non-finite loss or gradient norm does
 * @param compile        run updates as compiled graphs on backends that can ({@code Backend.capture()}), else eagerly
 */
public record TrainingConfig(int batchSize, int gradAccumSteps, long maxIters, double learningRate, double minLr, long warmupIters,
                             long lrDecayIters, boolean decayLr, double beta1, double beta2, double weightDecay, double gradClip,
                             long evalInterval, int evalIters, boolean evalAtStart, long seed, NonFinitePolicy onNonFinite,
                             boolean compile) implements Serializable {

    /** What a step whose loss or gradient norm is NaN or infinite does. */
    public enum NonFinitePolicy {
        /** Stop the run with a {@link NonFiniteLossException} naming the step (the update has been applied; checkpoints on disk predate it). */
        STOP,
        /** Leave the parameters and optimiser state unchanged for that step and go on (costs one host read before each update). */
        SKIP
    }

    public TrainingConfig {
        positive("batchSize", batchSize);
        positive("gradAccumSteps", gradAccumSteps);
        positive("evalInterval", evalInterval);
        positive("evalIters", evalIters);
        if (maxIters < 0 || warmupIters < 0 || lrDecayIters < 0) {
            throw new IllegalArgumentException("maxIters, warmupIters and lrDecayIters must be >= 0, got " + maxIters + ", " + warmupIters
                    + ", " + lrDecayIters);
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate) || !(minLr >= 0) || minLr > learningRate) {
            throw new IllegalArgumentException("need 0 <= minLr <= learningRate (finite), got minLr " + minLr + ", learningRate " + learningRate);
        }
        if (decayLr && lrDecayIters < warmupIters) {
            throw new IllegalArgumentException("lrDecayIters (" + lrDecayIters + ") must be >= warmupIters (" + warmupIters + ")");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay) || !(gradClip >= 0) || Double.isInfinite(gradClip)) {
            throw new IllegalArgumentException("weightDecay and gradClip must be finite and >= 0, got " + weightDecay + ", " + gradClip);
        }
        if (onNonFinite == null) {
            throw new IllegalArgumentException("onNonFinite must be set");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** The learning rates: {@code schedule().at(k)} is the rate of the step that follows k completed steps (nanoGPT's {@code get_lr(k)}). */
    public LrSchedule schedule() {
        return decayLr ? LrSchedule.warmupCosine(learningRate, minLr, warmupIters, lrDecayIters) : LrSchedule.constant(learningRate);
    }

    /**
     * nanoGPT's documented CPU run of character-level Tiny Shakespeare: batch 12, 2,000 steps, lr 1e-3
     * with 100 warmup steps and cosine decay to 1e-4 at step 2,000, AdamW betas (0.9, 0.99), weight
     * decay 0.1, clipping at 1.0, evaluation every 250 steps on 20 batches, seed 1337. Its model is
     * {@link GptConfig#shakespeareChar}.
     */
    public static TrainingConfig nanoGptShakespeareChar() {
        return new Builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().batchSize(batchSize).gradAccumSteps(gradAccumSteps).maxIters(maxIters).learningRate(learningRate).minLr(minLr)
                .warmupIters(warmupIters).lrDecayIters(lrDecayIters).decayLr(decayLr).betas(beta1, beta2).weightDecay(weightDecay)
                .gradClip(gradClip).evalInterval(evalInterval).evalIters(evalIters).evalAtStart(evalAtStart).seed(seed)
                .onNonFinite(onNonFinite).compile(compile);
    }

    /** Builder whose defaults are {@link #nanoGptShakespeareChar()}. */
    public static final class Builder {
        private int batchSize = 12;
        private int gradAccumSteps = 1;
        private long maxIters = 2000;
        private double learningRate = 1e-3;
        private double minLr = 1e-4;
        private long warmupIters = 100;
        private long lrDecayIters = 2000;
        private boolean decayLr = true;
        private double beta1 = 0.9;
        private double beta2 = 0.99;
        private double weightDecay = 0.1;
        private double gradClip = 1.0;
        private long evalInterval = 250;
        private int evalIters = 20;
        private boolean evalAtStart = true;
        private long seed = 1337;
        private NonFinitePolicy onNonFinite = NonFinitePolicy.STOP;
        private boolean compile = true;

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder gradAccumSteps(int v) {
            gradAccumSteps = v;
            return this;
        }

        public Builder maxIters(long v) {
            maxIters = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder minLr(double v) {
            minLr = v;
            return this;
        }

        public Builder warmupIters(long v) {
            warmupIters = v;
            return this;
        }

        public Builder lrDecayIters(long v) {
            lrDecayIters = v;
            return this;
        }

        public Builder decayLr(boolean v) {
            decayLr = v;
            return this;
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return this;
        }

        public Builder evalInterval(long v) {
            evalInterval = v;
            return this;
        }

        public Builder evalIters(int v) {
            evalIters = v;
            return this;
        }

        public Builder evalAtStart(boolean v) {
            evalAtStart = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder onNonFinite(NonFinitePolicy v) {
            onNonFinite = v;
            return this;
        }

        public Builder compile(boolean v) {
            compile = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(batchSize, gradAccumSteps, maxIters, learningRate, minLr, warmupIters, lrDecayIters, decayLr, beta1,
                    beta2, weightDecay, gradClip, evalInterval, evalIters, evalAtStart, seed, onNonFinite, compile);
        }
    }
}
