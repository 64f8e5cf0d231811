package dev.llmforge.alignment.rl;

import dev.llmforge.training.data.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The rows of a rollout shuffled from a seed and cut into {@code count} minibatches of (nearly) equal size. */
final class Minibatches {
    private Minibatches() {
    }

    static List<int[]> shuffled(int rows, int count, long seed) {
        int[] order = new Rng(seed).permutation(rows);
        List<int[]> out = new ArrayList<>(count);
        for (int m = 0; m < count; m++) {
            out.add(Arrays.copyOfRange(order, (int) ((long) rows * m / count), (int) ((long) rows * (m + 1) / count)));
        }
        return out;
    }
}
