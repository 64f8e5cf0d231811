package dev.llmforge.optim;

/** A learning rate as a function of the step (counting from 0). */
@FunctionalInterface
public interface LrSchedule {
    double at(long step);

    /** The same rate at every step. */
    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** Linear warmup from lr/warmupSteps to lr over {@code warmupSteps}, then constant. */
    static LrSchedule linearWarmup(double lr, long warmupSteps) {
        return warmupCosine(lr, lr, warmupSteps, warmupSteps);
    }

    /**
     * nanoGPT's schedule: linear warmup to {@code maxLr} over {@code warmupSteps} ({@code maxLr·(step+1)/(warmupSteps+1)}),
     * cosine decay to {@code minLr} at {@code decaySteps}, then {@code minLr}.
     */
    static LrSchedule warmupCosine(double maxLr, double minLr, long warmupSteps, long decaySteps) {
        if (warmupSteps < 0 || decaySteps < warmupSteps || minLr > maxLr || minLr < 0) {
            throw new IllegalArgumentException("warmupCosine: need 0 <= warmupSteps <= decaySteps and 0 <= minLr <= maxLr, got warmup "
                    + warmupSteps + ", decay " + decaySteps + ", lr " + minLr + ".." + maxLr);
        }
        return step -> {
            if (step < warmupSteps) {
                return maxLr * (step + 1) / (warmupSteps + 1);
            }
            if (step >= decaySteps) {
                return minLr;
            }
            double ratio = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
            return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (maxLr - minLr);
        };
    }
}
