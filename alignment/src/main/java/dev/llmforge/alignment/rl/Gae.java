package dev.llmforge.alignment.rl;

/**
 * Generalised advantage estimation (Schulman et al. 2016) over the response tokens of a rollout, on the host.
 * Arrays are (B, T) row-major and aligned with the ids: entry t is about token t, the action taken after the
 * tokens before it. {@code values[t]} is the value of that state (the value model's output at position t - 1);
 * the state after a row's last response token is terminal (value 0).
 *
 * <pre>
 * δ_t = r_t + γ V_{t+1} − V_t        A_t = δ_t + γ λ A_{t+1}        R_t = A_t + V_t
 * </pre>
 *
 * @param advantages A (B, T), 0 outside the response
 * @param returns    R (B, T), the value model's targets, 0 outside the response
 */
public record Gae(float[] advantages, float[] returns) {
    /** GAE of per-token {@code rewards} with {@code values}, over the tokens where {@code responseMask} is 1. */
    public static Gae of(float[] rewards, float[] values, float[] responseMask, int rows, int length, double gamma, double lambda) {
        float[] advantages = new float[rows * length];
        float[] returns = new float[rows * length];
        for (int b = 0; b < rows; b++) {
            double next = 0; // A_{t+1}
            double nextValue = 0; // V_{t+1}: 0 after the last response token
            for (int t = length - 1; t >= 0; t--) {
                int i = b * length + t;
                if (responseMask[i] == 0) {
                    continue;
                }
                double delta = rewards[i] + gamma * nextValue - values[i];
                next = delta + gamma * lambda * next;
                nextValue = values[i];
                advantages[i] = (float) next;
                returns[i] = (float) (next + values[i]);
            }
        }
        return new Gae(advantages, returns);
    }

    /** The advantages shifted and scaled to mean 0 and variance 1 over the response tokens (0 elsewhere). */
    public float[] whitened(float[] responseMask) {
        double n = 0;
        double sum = 0;
        for (int i = 0; i < advantages.length; i++) {
            n += responseMask[i];
            sum += responseMask[i] * advantages[i];
        }
        double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < advantages.length; i++) {
            squares += responseMask[i] * (advantages[i] - mean) * (advantages[i] - mean);
        }
        double std = Math.sqrt(squares / Math.max(1, n - 1));
        float[] out = new float[advantages.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = responseMask[i] == 0 ? 0 : (float) ((advantages[i] - mean) / (std + 1e-8));
        }
        return out;
    }
}
