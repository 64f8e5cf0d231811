package dev.llmforge.nn;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;

/**
 * Zeroes elements with probability p in training mode (scaling the rest by 1/(1-p)); the identity
 * in evaluation mode. Each call draws its mask from the next seed of a sequence fixed by
 * {@code seed}, so a seeded run drops the same elements every time.
 */
public final class Dropout extends Module {
    private final double p;
    private final SeedSequence seeds;

    public Dropout(double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seeds = registerSeeds(new SeedSequence(seed));
    }

    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        return F.dropout(x, p, seeds.next());
    }

    public double probability() {
        return p;
    }
}
