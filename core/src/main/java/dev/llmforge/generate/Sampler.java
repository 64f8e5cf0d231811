package dev.llmforge.generate;

import java.util.Arrays;
import java.util.Random;

/**
 * Chooses the next token from one row of logits on the host: repetition penalty, then greedy
 * argmax (temperature 0) or temperature, top-k, top-p and a seeded draw; and reports the
 * log-probability of the chosen token under the distribution it was drawn from.
 */
public final class Sampler {
    private Sampler() {
    }

    /**
     * A chosen token and its log-probability under the distribution it was drawn from: softmax of
     * the (penalised) logits divided by the temperature, restricted to the top-k / top-p set and
     * renormalised. Greedy decoding draws from no distribution; its log-probability is then that
     * of the unscaled softmax (temperature 1).
     */
    public record Choice(int token, double logProb) {
    }

    /**
     * @param logits  holds the row at {@code [offset, offset + vocab)}
     * @param context the tokens so far (for the repetition penalty), first {@code contextLength} used
     */
    public static Choice next(float[] logits, int offset, int vocab, int[] context, int contextLength, GenerationConfig cfg, Random rng) {
        double[] z = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            z[i] = logits[offset + i];
            if (Double.isNaN(z[i])) {
                throw new IllegalStateException("logit " + i + " is NaN: the model produced invalid values");
            }
        }
        if (cfg.repetitionPenalty() != 1) {
            penalise(z, context, contextLength, cfg.repetitionPenalty());
        }
        if (cfg.isGreedy()) {
            int best = argmax(z);
            return new Choice(best, Math.log(softmax(z)[best]));
        }
        for (int i = 0; i < vocab; i++) {
            z[i] /= cfg.temperature();
        }
        if (cfg.topK() > 0 && cfg.topK() < vocab) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double threshold = sorted[vocab - cfg.topK()];
            for (int i = 0; i < vocab; i++) {
                if (z[i] < threshold) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double[] p = softmax(z);
        if (cfg.topP() < 1) {
            nucleus(p, cfg.topP());
        }
        int token = draw(p, rng);
        double total = 0;
        for (double v : p) {
            total += v;
        }
        return new Choice(token, Math.log(p[token] / total));
    }

    /** CTRL's rule: a seen token's positive logit is divided by the penalty, a negative one multiplied. */
    static void penalise(double[] z, int[] context, int n, double penalty) {
        boolean[] seen = new boolean[z.length];
        for (int i = 0; i < n; i++) {
            int t = context[i];
            if (t >= 0 && t < z.length && !seen[t]) {
                seen[t] = true;
                z[t] = z[t] > 0 ? z[t] / penalty : z[t] * penalty;
            }
        }
    }

    /** Index of the first maximum. */
    static int argmax(double[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Zeroes all but the smallest set of most likely tokens whose probabilities sum to at least topP. */
    static void nucleus(double[] p, double topP) {
        int live = 0;
        long[] keys = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                // probabilities are positive floats, so their bit patterns sort like their values
                keys[live++] = ((long) Float.floatToIntBits((float) p[i]) << 32) | (p.length - 1 - i);
            }
        }
        long[] order = Arrays.copyOf(keys, live);
        Arrays.sort(order); // ascending; equal probabilities put the lower index last
        double cumulative = 0;
        int keepFrom = 0;
        for (int j = live - 1; j >= 0; j--) {
            int idx = p.length - 1 - (int) (order[j] & 0xffffffffL);
            cumulative += p[idx];
            if (cumulative >= topP) {
                keepFrom = j;
                break;
            }
        }
        for (int j = 0; j < keepFrom; j++) {
            p[p.length - 1 - (int) (order[j] & 0xffffffffL)] = 0;
        }
    }

    /** A token drawn with probability proportional to p (which need not be normalised). */
    static int draw(double[] p, Random rng) {
        double total = 0;
        for (double v : p) {
            total += v;
        }
        double u = rng.nextDouble() * total;
        double acc = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                acc += p[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last;
    }
}
