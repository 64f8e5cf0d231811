package dev.llmforge.training;

import dev.llmforge.optim.LrSchedule;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.training.metrics.MetricNames;
import java.util.Objects;

/**
 * An optimiser of a training run under its name, with its learning-rate schedule (set before every
 * step: {@code schedule.at(k)} after k completed steps). The first optimiser's series are
 * {@code lr} and {@code grad_norm}, another's {@code lr_NAME} and {@code grad_norm_NAME}.
 */
public record NamedOptimizer(String name, Optimizer optimizer, LrSchedule schedule) {
    public NamedOptimizer {
        MetricNames.checkName("optimizer", name);
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
    }
}
