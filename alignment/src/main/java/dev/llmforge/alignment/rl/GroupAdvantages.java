package dev.llmforge.alignment.rl;

/**
 * GRPO's advantages: each response's reward compared with the other responses to the same prompt,
 * {@code (r - mean) / (std + ε)} over its group, with the sample standard deviation (n - 1, as TRL's
 * {@code torch.std}). A group whose rewards are all equal gives every response advantage 0: it teaches nothing,
 * and the share of such groups is the first thing to watch in a GRPO run.
 *
 * @param advantages      one per response, in the order of the rewards
 * @param meanStd         the groups' standard deviations, averaged
 * @param zeroSpreadShare the share of groups whose rewards are all equal
 */
public record GroupAdvantages(double[] advantages, double meanStd, double zeroSpreadShare) {
    /** Advantages of {@code rewards} in consecutive groups of {@code groupSize}. */
    public static GroupAdvantages of(double[] rewards, int groupSize, double epsilon) {
        if (groupSize < 2 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException(rewards.length + " rewards do not make groups of " + groupSize + " (at least 2)");
        }
        double[] out = new double[rewards.length];
        int groups = rewards.length / groupSize;
        int flat = 0;
        double stds = 0;
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            double mean = 0;
            for (int i = 0; i < groupSize; i++) {
                mean += rewards[from + i];
            }
            mean /= groupSize;
            double squares = 0;
            for (int i = 0; i < groupSize; i++) {
                squares += (rewards[from + i] - mean) * (rewards[from + i] - mean);
            }
            double std = Math.sqrt(squares / (groupSize - 1));
            stds += std;
            if (squares == 0) {
                flat++;
            }
            for (int i = 0; i < groupSize; i++) {
                out[from + i] = (rewards[from + i] - mean) / (std + epsilon);
            }
        }
        return new GroupAdvantages(out, stds / groups, (double) flat / groups);
    }
}
