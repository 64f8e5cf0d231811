package dev.llmforge.alignment.rl;

import dev.llmforge.training.StepContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link ResponseMeasure}s a PPO or GRPO run watches, by name: each one's mean over a step's sampled responses
 * is logged as {@code <name>}, and over the greedy responses to the evaluation prompts as {@code val_<name>}.
 */
public final class WatchedMeasures {
    private final Map<String, ResponseMeasure> measures;

    /** @param measures by metric name, in logging order; may be empty */
    public WatchedMeasures(Map<String, ResponseMeasure> measures) {
        this.measures = new LinkedHashMap<>(measures);
    }

    public static WatchedMeasures none() {
        return new WatchedMeasures(Map.of());
    }

    /** Records each measure's mean over the step's responses. */
    void record(StepContext step, Rollout rollout) {
        means(rollout).forEach(step::record);
    }

    /** Puts each measure's mean over the greedy responses into {@code out} as {@code val_<name>}. */
    void evaluate(Rollout greedy, Map<String, Double> out) {
        means(greedy).forEach((name, mean) -> out.put("val_" + name, mean));
    }

    Map<String, Double> means(Rollout rollout) {
        Map<String, Double> out = new LinkedHashMap<>();
        measures.forEach((name, measure) -> {
            double sum = 0;
            for (int r = 0; r < rollout.rows(); r++) {
                sum += measure.of(rollout, r);
            }
            out.put(name, sum / rollout.rows());
        });
        return out;
    }
}
