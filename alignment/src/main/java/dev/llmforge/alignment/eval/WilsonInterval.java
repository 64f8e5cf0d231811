package dev.llmforge.alignment.eval;

/**
 * The Wilson score interval for a proportion (Wilson 1927), at 95% by default: unlike the normal approximation
 * p ± 1.96·sqrt(p(1−p)/n) it stays inside [0, 1] and is not empty at 0 or n successes, which is where small
 * models' accuracies often sit.
 *
 * @param low  lower bound
 * @param high upper bound
 */
public record WilsonInterval(double low, double high) {
    /** The two-sided 95% normal quantile. */
    public static final double Z95 = 1.959963984540054;

    /** The 95% interval for {@code successes} out of {@code trials}. */
    public static WilsonInterval of(long successes, long trials) {
        return of(successes, trials, Z95);
    }

    /** The interval for {@code successes} out of {@code trials} with normal quantile {@code z}. */
    public static WilsonInterval of(long successes, long trials, double z) {
        if (trials <= 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("a proportion needs 0 <= successes <= trials and trials > 0, found "
                    + successes + " of " + trials);
        }
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double halfWidth = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new WilsonInterval(Math.max(0, center - halfWidth), Math.min(1, center + halfWidth));
    }
}
