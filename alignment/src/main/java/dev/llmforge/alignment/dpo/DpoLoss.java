package dev.llmforge.alignment.dpo;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * DPO's losses of {@code h = (log π(y_c) − log π(y_r)) − (log π_ref(y_c) − log π_ref(y_r))}, per pair, as TRL names
 * them:
 *
 * <ul>
 *   <li>{@link #SIGMOID}: {@code −log σ(β h)} (Rafailov et al. 2023), log-probabilities summed over the response;</li>
 *   <li>{@link #IPO}: {@code (h − 1/(2β))²} (Azar et al. 2023), log-probabilities averaged over the response's
 *       tokens, as TRL does for IPO;</li>
 *   <li>{@link #HINGE}: {@code max(0, 1 − β h)} (SLiC, Zhao et al. 2023), summed.</li>
 * </ul>
 */
public enum DpoLoss {
    SIGMOID, IPO, HINGE;

    /** The name on the command line: {@code sigmoid}, {@code ipo}, {@code hinge}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DpoLoss named(String id) {
        for (DpoLoss l : values()) {
            if (l.id().equals(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown DPO loss '" + id + "'; expected one of "
                + Arrays.stream(values()).map(DpoLoss::id).toList());
    }

    /** Whether a response's log-probability is the mean over its tokens (IPO) rather than the sum. */
    public boolean averagesTokens() {
        return this == IPO;
    }

    /** The per-pair loss (P) of the log-ratio differences {@code h} (P) at {@code beta}. */
    public Tensor of(Tensor h, double beta) {
        return switch (this) {
            case SIGMOID -> F.logSigmoid(h.mul(beta)).neg();
            case IPO -> h.sub(1 / (2 * beta)).square();
            case HINGE -> h.mul(-beta).add(1).maximum(0);
        };
    }
}
